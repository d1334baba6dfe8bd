//! The embedded chain: the program run natively inside the real Solana runtime, in process, with the real
//! SPL Token and Associated Token Account programs (SBF builds shipped with the test runtime). No validator.

use anchor_lang::{
    prelude::{AccountInfo, Clock, Pubkey},
    solana_program::{entrypoint::ProgramResult, program_pack::Pack, system_instruction},
    AccountDeserialize,
};
use anchor_spl::token::spl_token;
use solana_commitment_config::CommitmentLevel;
use solana_program_test::{processor, BanksClient, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::Instruction,
    rent::Rent,
    signature::{Keypair, Signature, Signer},
    transaction::{Transaction, TransactionError},
};

use crate::{
    error::SdkError,
    events::{decode_events, LedgerEvent},
    fetch::AccountSource,
};

/// Anchor 1.2's `entry` ties the program id, accounts and data to one lifetime; the runtime hands a native
/// processor shorter, distinct ones.
fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // SAFETY: only the lifetimes are widened. The runtime keeps the program id, every AccountInfo (and the
    // buffers they point into) and the data alive until this call returns, and the program keeps no reference
    // to any of them past the call.
    let (program_id, accounts, data) = unsafe {
        (
            std::mem::transmute::<&Pubkey, &'static Pubkey>(program_id),
            std::mem::transmute::<&[AccountInfo], &'static [AccountInfo<'static>]>(accounts),
            std::mem::transmute::<&[u8], &'static [u8]>(data),
        )
    };
    public_spending::entry(program_id, accounts, data)
}

/// What a landed transaction did.
#[derive(Debug, Clone)]
pub struct TxOutcome {
    pub signature: Signature,
    /// The program's events, in emission order.
    pub events: Vec<LedgerEvent>,
    pub logs: Vec<String>,
}

/// An in-process chain with the program deployed and a funded fee payer.
pub struct EmbeddedChain {
    context: ProgramTestContext,
}

impl EmbeddedChain {
    /// Starts a fresh chain.
    pub async fn start() -> Self {
        let mut program_test = ProgramTest::new(
            "public_spending",
            public_spending::ID,
            processor!(process_instruction),
        );
        program_test.prefer_bpf(false);
        Self {
            context: program_test.start_with_context().await,
        }
    }

    /// The funded fee payer of every transaction sent through [`Self::send`].
    pub fn payer(&self) -> &Keypair {
        &self.context.payer
    }

    pub fn banks(&self) -> BanksClient {
        self.context.banks_client.clone()
    }

    /// Signs with the fee payer and `signers`, simulates (to capture the events), then processes. A refused
    /// transaction changes nothing and is reported with the program's error.
    pub async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        let mut blockhash = self.context.last_blockhash;
        loop {
            match self.try_send(instructions, signers, blockhash).await {
                // An identical transaction landed under this blockhash already: sign anew under a fresh one.
                Err(SdkError::Transaction(TransactionError::AlreadyProcessed)) => {
                    blockhash = self.fresh_blockhash(blockhash).await?;
                }
                other => return other,
            }
        }
    }

    async fn fresh_blockhash(&mut self, stale: Hash) -> Result<Hash, SdkError> {
        let blockhash = self
            .context
            .get_new_latest_blockhash()
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))?;
        debug_assert_ne!(blockhash, stale);
        self.context.last_blockhash = blockhash;
        Ok(blockhash)
    }

    async fn try_send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        blockhash: Hash,
    ) -> Result<TxOutcome, SdkError> {
        let payer = &self.context.payer;
        let mut all_signers: Vec<&Keypair> = vec![payer];
        all_signers.extend(
            signers
                .iter()
                .copied()
                .filter(|s| s.pubkey() != payer.pubkey()),
        );
        let mut transaction = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        transaction
            .try_sign(&all_signers, blockhash)
            .map_err(|e| SdkError::Signing(e.to_string()))?;
        let signature = transaction.signatures[0];
        let message = transaction.message.clone();
        let result = self
            .context
            .banks_client
            .process_transaction_with_preflight_and_commitment_and_context(
                tarpc::context::current(),
                transaction,
                CommitmentLevel::Processed,
            )
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))?;
        match result.result {
            Some(Ok(())) => {}
            Some(Err(err)) => return Err(err.into()),
            None => {
                return Err(SdkError::Transport(
                    "the transaction was not processed".into(),
                ))
            }
        }
        let details = result.simulation_details.ok_or_else(|| {
            SdkError::Transport("the runtime returned no simulation details".into())
        })?;
        let keys = &message.account_keys;
        let inner: Vec<(&Pubkey, &[u8])> = details
            .inner_instructions
            .iter()
            .flatten()
            .flat_map(|set| set.iter())
            .filter_map(|ix| {
                keys.get(usize::from(ix.instruction.program_id_index))
                    .map(|p| (p, ix.instruction.data.as_slice()))
            })
            .collect();
        Ok(TxOutcome {
            signature,
            events: decode_events(inner),
            logs: details.logs,
        })
    }

    /// The current on-chain clock.
    pub async fn clock(&self) -> Result<Clock, SdkError> {
        self.context
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))
    }

    /// Moves the chain's clock forward by `seconds` (the runtime's warp, for time locks and availability).
    pub async fn advance_clock(&mut self, seconds: i64) -> Result<(), SdkError> {
        let mut clock = self.clock().await?;
        clock.unix_timestamp = clock.unix_timestamp.saturating_add(seconds);
        self.context.set_sysvar(&clock);
        Ok(())
    }

    /// Sends lamports from the fee payer.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), SdkError> {
        let payer = self.context.payer.pubkey();
        self.send(&[system_instruction::transfer(&payer, to, lamports)], &[])
            .await
            .map(drop)
    }

    /// The chain's rent parameters.
    pub async fn rent(&self) -> Result<Rent, SdkError> {
        self.context
            .banks_client
            .get_rent()
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))
    }

    /// Creates an SPL Token mint with `authority` as mint authority.
    pub async fn create_mint(
        &mut self,
        authority: &Pubkey,
        decimals: u8,
    ) -> Result<Pubkey, SdkError> {
        let mint = Keypair::new();
        let rent = self.rent().await?;
        let payer = self.context.payer.pubkey();
        let instructions = [
            system_instruction::create_account(
                &payer,
                &mint.pubkey(),
                rent.minimum_balance(spl_token::state::Mint::LEN),
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                authority,
                None,
                decimals,
            )
            .map_err(SdkError::from)?,
        ];
        self.send(&instructions, &[&mint]).await?;
        Ok(mint.pubkey())
    }

    /// Mints `amount` base units into `token_account`; `authority` is the mint authority.
    pub async fn mint_to(
        &mut self,
        mint: &Pubkey,
        token_account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), SdkError> {
        let ix = spl_token::instruction::mint_to(
            &spl_token::ID,
            mint,
            token_account,
            &authority.pubkey(),
            &[],
            amount,
        )
        .map_err(SdkError::from)?;
        self.send(&[ix], &[authority]).await.map(drop)
    }

    /// The balance of a token account, or zero when it does not exist.
    pub async fn token_balance(&self, token_account: &Pubkey) -> Result<u64, SdkError> {
        match self.get_account(token_account).await? {
            None => Ok(0),
            Some(account) => anchor_spl::token_interface::TokenAccount::try_deserialize(
                &mut account.data.as_slice(),
            )
            .map(|t| t.amount)
            .map_err(|e| SdkError::Decode {
                address: *token_account,
                kind: "TokenAccount",
                reason: e.to_string(),
            }),
        }
    }

    pub async fn lamports(&self, address: &Pubkey) -> Result<u64, SdkError> {
        Ok(self.get_account(address).await?.map_or(0, |a| a.lamports))
    }
}

impl AccountSource for EmbeddedChain {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.context
            .banks_client
            .get_account(*address)
            .await
            .map_err(|e| SdkError::Transport(e.to_string()))
    }
}
