//! The bank-data group (agave's `rpc_bank`): what the bank's sysvars say, here the rent.

use jsonrpsee::{
    core::{async_trait, RpcResult},
    proc_macros::rpc,
};
use solana_commitment_config::CommitmentConfig;

use super::{internal, Rpc};

#[rpc(server)]
pub trait BankData {
    #[method(name = "getMinimumBalanceForRentExemption")]
    async fn get_minimum_balance_for_rent_exemption(
        &self,
        data_len: usize,
        commitment: Option<CommitmentConfig>,
    ) -> RpcResult<u64>;
}

#[async_trait]
impl BankDataServer for Rpc {
    async fn get_minimum_balance_for_rent_exemption(
        &self,
        data_len: usize,
        _commitment: Option<CommitmentConfig>,
    ) -> RpcResult<u64> {
        let rent = self.node.chain().rent().await.map_err(internal)?;
        Ok(rent.minimum_balance(data_len))
    }
}
