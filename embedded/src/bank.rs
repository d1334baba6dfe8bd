//! The runtime's banks under the embedded chain, set up as the test runtime (`solana-program-test`) sets them up,
//! except for the pace of blockhashes, which the test runtime fixes inside itself: a new one every 6.4 ms, so that
//! a blockhash lasts about a second. A chain that people and wallets sign against needs a validator's pace: one
//! blockhash per closed slot, valid for 150 of them. [`Pace`] chooses.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use agave_feature_set::FeatureSet;
use anchor_lang::prelude::Clock;
use solana_banks_client::{start_client, BanksClient};
use solana_banks_server::banks_server::start_local_server;
use solana_cluster_type::ClusterType;
use solana_fee_calculator::{FeeRateGovernor, DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE};
use solana_poh_config::PohConfig;
use solana_program_runtime::{
    invoke_context::BuiltinFunctionWithContext, loaded_programs::ProgramCacheEntry,
};
use solana_program_test::ProgramTest;
use solana_runtime::{
    bank::Bank, bank_forks::BankForks, commitment::BlockCommitmentCache,
    genesis_utils::create_genesis_config_with_leader_ex, runtime_config::RuntimeConfig,
};
use solana_sdk::{
    account::AccountSharedData,
    clock::MAX_PROCESSING_AGE,
    hash::Hash,
    native_token::LAMPORTS_PER_SOL,
    pubkey::Pubkey,
    rent::Rent,
    signature::{Keypair, Signer},
    transaction::{TransactionError, VersionedTransaction},
};
use solana_svm::{
    transaction_commit_result::CommittedTransaction,
    transaction_processor::ExecutionRecordingConfig,
};
use solana_vote_interface::state::VoteStateV4;

/// How the chain's blockhashes move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// As the test runtime: a new blockhash every 6.4 ms whether or not a slot closes, so that identical
    /// transactions sent one after the other land without waiting; a blockhash expires after about a second.
    /// For programs that sign and send at once (the demo, the tests, one-off commands).
    #[default]
    Fast,
    /// As a validator: a new blockhash only when a slot closes, and a blockhash valid for 150 closed slots (about
    /// a minute at 400 ms a slot). For a served chain, where a person may take seconds to sign.
    PerSlot,
}

/// What the test runtime's ticking task waits between blockhashes: 64 ticks of 100 µs.
const FAST_BLOCKHASH_EVERY: Duration = Duration::from_micros(6_400);

/// The banks of one chain and the client the chain's transactions go through.
pub(super) struct Banks {
    forks: Arc<RwLock<BankForks>>,
    commitment: Arc<RwLock<BlockCommitmentCache>>,
    genesis_hash: Hash,
    /// The funded mint of the genesis configuration, the chain's fee payer.
    pub(super) payer: Keypair,
    pub(super) client: BanksClient,
    /// Registers blockhashes at [`Pace::Fast`]; stopped with the chain.
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Banks {
    fn drop(&mut self) {
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
    }
}

/// A native program: its id, name and entrypoint.
pub(super) type Builtin = (Pubkey, &'static str, BuiltinFunctionWithContext);

/// Programs run natively call other programs (SPL Token) through the test runtime's syscall stubs, which it
/// installs, process-wide and once, the first time it sets a chain up. Its chain is dropped at once.
async fn install_syscall_stubs() {
    static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            drop(ProgramTest::default().start_with_context().await);
        })
        .await;
}

impl Banks {
    /// A chain past its genesis slot with the SPL programs, `builtin`, and `accounts`, as the test runtime makes
    /// one.
    pub(super) async fn start(
        builtin: Builtin,
        accounts: Vec<(Pubkey, AccountSharedData)>,
        pace: Pace,
    ) -> Self {
        install_syscall_stubs().await;
        let rent = Rent::default();
        let fee_rate_governor = FeeRateGovernor {
            lamports_per_signature: DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE / 2,
            ..FeeRateGovernor::default()
        };
        let validator = Pubkey::new_unique();
        let validator_stake =
            rent.minimum_balance(VoteStateV4::size_of()) + 1_000_000 * LAMPORTS_PER_SOL;
        let mint = Keypair::new();
        let voting = Keypair::new();
        let mut genesis_config = create_genesis_config_with_leader_ex(
            1_000_000 * LAMPORTS_PER_SOL,
            &mint.pubkey(),
            &validator,
            &voting.pubkey(),
            &Pubkey::new_unique(),
            None,
            validator_stake,
            42,
            fee_rate_governor,
            rent.clone(),
            ClusterType::Development,
            &FeatureSet::all_enabled(),
            Vec::new(),
        );
        genesis_config.poh_config = PohConfig::new_sleep(Duration::from_micros(100));
        let bank = Bank::new_from_genesis(
            &genesis_config,
            Arc::new(RuntimeConfig::default()),
            Vec::new(),
            None,
            solana_accounts_db::accounts_db::ACCOUNTS_DB_CONFIG_FOR_TESTING,
            None,
            None,
            Arc::default(),
            None,
            None,
        );
        for (program_id, account) in solana_program_binaries::spl_programs(&rent) {
            bank.store_account(&program_id, &account);
        }
        for (program_id, account) in solana_program_binaries::core_bpf_programs(&rent, |feature| {
            genesis_config.accounts.contains_key(feature)
        }) {
            bank.store_account(&program_id, &account);
        }
        let (program_id, name, entrypoint) = builtin;
        bank.add_builtin(
            program_id,
            name,
            ProgramCacheEntry::new_builtin(0, name.len(), entrypoint),
        );
        for (address, account) in &accounts {
            bank.store_account(address, account);
        }
        bank.set_capitalization_for_tests(bank.calculate_capitalization_for_tests());
        // Past slot 0, as the test runtime starts.
        let genesis = Arc::new(bank);
        genesis.fill_bank_with_ticks_for_tests();
        let bank = Bank::new_from_parent(genesis.clone(), genesis.collector_id(), 1);
        let slot = bank.slot();
        let forks = BankForks::new_rw_arc(bank);
        let commitment = Arc::new(RwLock::new(BlockCommitmentCache::new_for_tests_with_slots(
            slot, slot,
        )));
        let transport = start_local_server(
            forks.clone(),
            commitment.clone(),
            genesis_config.poh_config.target_tick_duration,
        )
        .await;
        let client = start_client(transport)
            .await
            .unwrap_or_else(|err| panic!("the runtime's in-process client did not start: {err}"));
        let ticker = (pace == Pace::Fast).then(|| {
            let forks = forks.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(FAST_BLOCKHASH_EVERY).await;
                    working_bank(&forks).register_unique_recent_blockhash_for_test();
                }
            })
        });
        Self {
            forks,
            commitment,
            genesis_hash: genesis_config.hash(),
            payer: mint,
            client,
            ticker,
        }
    }

    pub(super) fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// Writes an account into the open slot, past the runtime's checks.
    pub(super) fn set_account(&self, address: &Pubkey, account: &AccountSharedData) {
        working_bank(&self.forks).store_account(address, account);
    }

    /// Sets the open slot's clock, past the runtime's checks.
    pub(super) fn set_clock(&self, clock: &Clock) {
        working_bank(&self.forks).set_sysvar_for_tests(clock);
    }

    /// Whether a transaction may still use `blockhash` (at most 150 blockhashes old), as `isBlockhashValid`
    /// answers it.
    pub(super) fn is_blockhash_valid(&self, blockhash: &Hash) -> bool {
        working_bank(&self.forks).is_blockhash_valid(blockhash)
    }

    /// Executes and commits `transaction` in the open slot as a validator does one sent without preflight:
    /// against a blockhash up to 150 old (a simulation, as preflight, allows 144: the validator's margin for
    /// forwarding), recording its logs and inner instructions. Its signatures are verified first (neither a
    /// simulation nor the runtime's entry batches check them). The caller holds the chain's turn, so no slot
    /// closes meanwhile.
    pub(super) fn execute(
        &self,
        transaction: VersionedTransaction,
    ) -> Result<CommittedTransaction, TransactionError> {
        if !transaction.verify_with_results().into_iter().all(|ok| ok) {
            return Err(TransactionError::SignatureFailure);
        }
        let bank = working_bank(&self.forks);
        let batch = bank.prepare_entry_batch(vec![transaction])?;
        let (mut committed, _) = bank.load_execute_and_commit_transactions(
            &batch,
            MAX_PROCESSING_AGE,
            ExecutionRecordingConfig::new_single_setting(true),
            &mut solana_svm_timings::ExecuteTimings::default(),
            None,
        );
        committed.remove(0)
    }

    /// Closes the open slot (its last tick registers one blockhash) and opens `slot`, skipping the slots in
    /// between, as the test runtime's warp does. `slot` must lie ahead.
    pub(super) fn warp_to_slot(&self, slot: u64) -> Result<(), String> {
        let mut forks = self
            .forks
            .write()
            .map_err(|_| "the runtime's banks are poisoned".to_string())?;
        let bank = forks.working_bank();
        bank.fill_bank_with_ticks_for_tests();
        let open = bank.slot();
        if slot <= open {
            return Err(format!("slot {slot} is not ahead of the open slot {open}"));
        }
        // The bank a warp makes is frozen: warp to the slot before, then open `slot` from it.
        let before = slot - 1;
        let parent = if before == open {
            bank.freeze();
            bank
        } else {
            forks
                .insert(Bank::warp_from_parent(bank, &Pubkey::default(), before))
                .clone_without_scheduler()
        };
        forks.set_root(before, None, Some(before));
        forks.insert(Bank::new_from_parent(parent, &Pubkey::default(), slot));
        // The in-process server answers from the slots the commitment cache names.
        self.commitment
            .write()
            .map_err(|_| "the runtime's commitment cache is poisoned".to_string())?
            .set_all_slots(slot, slot);
        Ok(())
    }
}

fn working_bank(forks: &RwLock<BankForks>) -> Arc<Bank> {
    forks
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .working_bank()
}
