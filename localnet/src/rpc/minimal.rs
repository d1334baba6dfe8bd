//! The minimal group (agave's `rpc_minimal`): health, version, genesis, slots, heights, epochs, balances.

use jsonrpsee::{
    core::{async_trait, RpcResult},
    proc_macros::rpc,
};
use solana_rpc_client_api::{
    config::RpcContextConfig,
    response::{Response, RpcVersionInfo},
};
use solana_sdk::{epoch_info::EpochInfo, epoch_schedule::EpochSchedule};

use super::{feature_set_id, internal, pubkey, Rpc};
use crate::SOLANA_CORE_VERSION;

#[rpc(server)]
pub trait Minimal {
    #[method(name = "getHealth")]
    fn get_health(&self) -> RpcResult<String>;

    #[method(name = "getVersion")]
    fn get_version(&self) -> RpcResult<RpcVersionInfo>;

    #[method(name = "getGenesisHash")]
    fn get_genesis_hash(&self) -> RpcResult<String>;

    #[method(name = "getSlot")]
    async fn get_slot(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;

    #[method(name = "getBlockHeight")]
    async fn get_block_height(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;

    #[method(name = "getEpochInfo")]
    async fn get_epoch_info(&self, config: Option<RpcContextConfig>) -> RpcResult<EpochInfo>;

    #[method(name = "getBalance")]
    async fn get_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>>;
}

#[async_trait]
impl MinimalServer for Rpc {
    fn get_health(&self) -> RpcResult<String> {
        Ok("ok".into())
    }

    fn get_version(&self) -> RpcResult<RpcVersionInfo> {
        Ok(RpcVersionInfo {
            solana_core: SOLANA_CORE_VERSION.to_string(),
            feature_set: Some(feature_set_id()),
        })
    }

    fn get_genesis_hash(&self) -> RpcResult<String> {
        Ok(self.node.chain().genesis_hash().to_string())
    }

    async fn get_slot(&self, config: Option<RpcContextConfig>) -> RpcResult<u64> {
        let config = config.unwrap_or_default();
        self.node.context(config.min_context_slot).await?;
        self.node.slot_at(config.commitment).await
    }

    async fn get_block_height(&self, config: Option<RpcContextConfig>) -> RpcResult<u64> {
        let config = config.unwrap_or_default();
        self.node.context(config.min_context_slot).await?;
        self.node.block_height_at(config.commitment).await
    }

    async fn get_epoch_info(&self, config: Option<RpcContextConfig>) -> RpcResult<EpochInfo> {
        let config = config.unwrap_or_default();
        let node = &self.node;
        node.context(config.min_context_slot).await?;
        let schedule: EpochSchedule = node.chain().banks().get_sysvar().await.map_err(internal)?;
        let slot = node.slot_at(config.commitment).await?;
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
        Ok(EpochInfo {
            epoch,
            slot_index,
            slots_in_epoch: schedule.get_slots_in_epoch(epoch),
            absolute_slot: slot,
            block_height: node.block_height_at(config.commitment).await?,
            transaction_count: Some(node.chain().history_len() as u64),
        })
    }

    async fn get_balance(
        &self,
        key: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>> {
        let key = pubkey(&key)?;
        let context = self
            .node
            .context(config.unwrap_or_default().min_context_slot)
            .await?;
        let lamports = self.node.account(&key).await?.map_or(0, |a| a.lamports);
        Ok(Response {
            context,
            value: lamports,
        })
    }
}
