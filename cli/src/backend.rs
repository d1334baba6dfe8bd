//! The chain a command talks to: an RPC node, or the embedded in-process chain saved in a local file.

use anchor_lang::prelude::Pubkey;
#[cfg(feature = "embedded")]
use public_spending_embedded::EmbeddedChain;
use public_spending_sdk::{
    fetch::AccountSource,
    history::{HistoricalTransaction, History, SignatureInfo},
    query::Memcmp,
    Backend, RpcBackend, SdkError, TxOutcome,
};
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    message::AddressLookupTableAccount,
    signature::{Keypair, Signature},
};

pub enum AnyBackend {
    Rpc(Box<RpcBackend>),
    #[cfg(feature = "embedded")]
    Embedded(Box<EmbeddedChain>),
}

impl AccountSource for AnyBackend {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.get_account(address).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.get_account(address).await,
        }
    }
}

impl Backend for AnyBackend {
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.send(instructions, signers).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.send(instructions, signers).await,
        }
    }

    async fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TxOutcome, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.send_v0(instructions, signers, tables).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.send_v0(instructions, signers, tables).await,
        }
    }

    async fn program_accounts(
        &self,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.program_accounts(filters).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.program_accounts(filters).await,
        }
    }

    async fn unix_timestamp(&self) -> Result<i64, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.unix_timestamp().await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.unix_timestamp().await,
        }
    }

    fn fee_payer(&self) -> Pubkey {
        match self {
            Self::Rpc(rpc) => rpc.fee_payer(),
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.fee_payer(),
        }
    }
}

impl History for AnyBackend {
    async fn genesis_hash(&self) -> Result<solana_sdk::hash::Hash, SdkError> {
        match self {
            Self::Rpc(rpc) => History::genesis_hash(&**rpc).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => Ok(chain.genesis_hash()),
        }
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, SdkError> {
        match self {
            Self::Rpc(rpc) => {
                rpc.signatures_for_address(address, before, until, limit)
                    .await
            }
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => {
                chain
                    .signatures_for_address(address, before, until, limit)
                    .await
            }
        }
    }

    async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<HistoricalTransaction>, SdkError> {
        match self {
            Self::Rpc(rpc) => rpc.transaction(signature).await,
            #[cfg(feature = "embedded")]
            Self::Embedded(chain) => chain.transaction(signature).await,
        }
    }
}
