//! The chains a scenario runs on: the embedded chain, or a node over JSON-RPC (`pubspend serve`, a test
//! validator). The SDK's [`Backend`] and [`History`] plus what only a scenario needs: airdrops and new mints.

use std::future::Future;

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use public_spending_embedded::EmbeddedChain;
use public_spending_sdk::{history::History, mint, Backend, RpcBackend, SdkError};
use solana_sdk::signature::{Keypair, Signer};

/// A chain the fixtures build on: the embedded chain, or a node over JSON-RPC (`pubspend serve`).
pub trait Chain: Backend + History {
    /// Sends `lamports` to `to` from wherever the chain keeps its funds (the fee payer, a faucet).
    fn airdrop(
        &self,
        to: &Pubkey,
        lamports: u64,
    ) -> impl Future<Output = Result<(), SdkError>> + Send;

    /// Moves the chain's clock `seconds` forward: the embedded chain's own, or a served node's
    /// (`pubspend_advanceClock`); a real cluster refuses.
    fn advance_clock(&self, seconds: i64) -> impl Future<Output = Result<(), SdkError>> + Send;

    /// The rent-exempt minimum of an account of `len` bytes.
    fn minimum_balance(&self, len: usize) -> impl Future<Output = Result<u64, SdkError>> + Send;

    /// Creates an SPL Token mint with `authority` as mint authority.
    fn create_mint(
        &self,
        authority: &Pubkey,
        decimals: u8,
    ) -> impl Future<Output = Result<Pubkey, SdkError>> + Send {
        async move {
            let mint = Keypair::new();
            let rent = self.minimum_balance(mint::MINT_LEN).await?;
            let instructions = mint::create_mint(
                &self.fee_payer(),
                &mint.pubkey(),
                authority,
                decimals,
                &spl_token::ID,
                rent,
            )?;
            self.send(&instructions, &[&mint]).await?;
            Ok(mint.pubkey())
        }
    }

    /// Mints `amount` base units into `token_account`; `authority` is the mint authority. The mint's owner
    /// names its token program (SPL Token or Token-2022).
    fn mint_to(
        &self,
        mint: &Pubkey,
        token_account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> impl Future<Output = Result<(), SdkError>> + Send {
        async move {
            let ix = mint::mint_to(self, mint, token_account, &authority.pubkey(), amount).await?;
            self.send(&[ix], &[authority]).await.map(drop)
        }
    }
}

impl Chain for EmbeddedChain {
    async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), SdkError> {
        EmbeddedChain::airdrop(self, to, lamports).await
    }

    async fn minimum_balance(&self, len: usize) -> Result<u64, SdkError> {
        Ok(self.rent().await?.minimum_balance(len))
    }

    async fn advance_clock(&self, seconds: i64) -> Result<(), SdkError> {
        EmbeddedChain::advance_clock(self, seconds).await
    }
}

/// A node over JSON-RPC (`pubspend serve`, or a test validator): airdrops come from its faucet.
impl Chain for RpcBackend {
    async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), SdkError> {
        let transport =
            |e: solana_client::client_error::ClientError| SdkError::Transport(e.to_string());
        let signature = self
            .rpc()
            .request_airdrop(to, lamports)
            .await
            .map_err(transport)?;
        for _ in 0..600 {
            match self
                .rpc()
                .get_signature_status(&signature)
                .await
                .map_err(transport)?
            {
                Some(Ok(())) => return Ok(()),
                Some(Err(err)) => return Err(SdkError::Transaction(err)),
                None => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        Err(SdkError::Transport(format!(
            "airdrop {signature} did not land"
        )))
    }

    async fn minimum_balance(&self, len: usize) -> Result<u64, SdkError> {
        self.rpc()
            .get_minimum_balance_for_rent_exemption(len)
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))
    }

    async fn advance_clock(&self, seconds: i64) -> Result<(), SdkError> {
        self.advance_served_clock(seconds).await.map(drop)
    }
}
