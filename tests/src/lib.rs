//! Fixtures and assertions for the integration tests. Every fixture is built with the SDK's builders.

pub mod postgres;
pub mod synthetic;

/// This process's peak resident memory (VmHWM) in KiB, for the benches; 0 where `/proc` is not there.
pub fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

use std::fmt::Debug;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::{
    token::spl_token,
    token_2022::spl_token_2022::{self, extension::ExtensionType, state::Mint as Token2022Mint},
};
use public_spending::{
    constants::*,
    error::LedgerError,
    instructions::{
        AllotArgs, CreateAppropriationArgs, ObligateArgs, PaymentArgs, RegisterRecipientArgs,
        SetMemberArgs,
    },
    state::{
        Agency, ApprovalPolicy, AwardType, ExclusionStatus, OversightArgs, OversightReason,
        RecipientKind,
    },
};
use public_spending_embedded::{EmbeddedChain, TxOutcome};
use public_spending_sdk::{
    builders::{self, AwardKeys, Payout},
    fetch::fetch,
    pda, LedgerEvent, SdkError,
};
use solana_sdk::{
    account::Account,
    instruction::{Instruction, InstructionError},
    message::AddressLookupTableAccount,
    signature::{Keypair, Signer},
    transaction::TransactionError,
};

pub use public_spending::state;

/// One whole unit (the test mint has 6 decimals).
pub const UNIT: u64 = 1_000_000;
pub const DECIMALS: u8 = 6;

/// A fast-path `PaymentExecuted` event for `record` following the chain head `previous`, as the indexer reads
/// it from a transaction: the event, its inner instruction's data, and the new head. The benches' synthetic
/// ledgers are made of these.
pub fn executed_event(
    record: public_spending_sdk::PaymentRecord,
    previous: [u8; 32],
) -> (LedgerEvent, Vec<u8>, [u8; 32]) {
    use anchor_lang::Event;
    let head = public_spending_sdk::fold_outlay_hash(&previous, &record);
    let event = public_spending::events::PaymentExecuted {
        payment: Pubkey::default(),
        fast_path: true,
        executor: Pubkey::default(),
        record,
        award_outlayed: 0,
        allotment_outlayed: 0,
        appropriation_outlayed: 0,
        agency_outlayed: 0,
        previous_outlay_hash: previous,
        outlay_hash: head,
    };
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend(event.data());
    (LedgerEvent::PaymentExecuted(event), data, head)
}

/// A policy under which small payments take the fast path: 1,000 and above needs one approval, no time lock,
/// and the fast path pays up to 1,000,000 a day.
pub const FAST_PATH_POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 1,
    time_lock_seconds: 0,
    fast_path_daily_cap: 1_000_000 * UNIT,
};
/// A year, in seconds.
pub const YEAR: i64 = 365 * 24 * 60 * 60;

pub use public_spending_scenario::{agency, flaky_client, Chain, Fault, Flaky, NO_WAIT};

/// A ledger with its admin, one auditor and a 6-decimal payment mint, on the embedded chain unless built
/// [`World::on`] another [`Chain`].
pub struct World<C = EmbeddedChain> {
    pub chain: C,
    pub admin: Keypair,
    pub auditor: Keypair,
    pub mint_authority: Keypair,
    pub mint: Pubkey,
    /// The mint's token program: SPL Token, or Token-2022 for a world made by [`World::token_2022`].
    pub token_program: Pubkey,
}

/// An agency with one member per role, so that role separation is exercised everywhere.
pub struct AgencyFixture {
    pub code: String,
    pub agency: Pubkey,
    pub treasury: Pubkey,
    pub head: Keypair,
    pub budget: Keypair,
    pub obligor: Keypair,
    pub requester: Keypair,
    pub approvers: [Keypair; 2],
    pub executor: Keypair,
    /// Holds the PROPERTY role.
    pub property_officer: Keypair,
}

/// An award ready to pay, with the keys that place it in the budget chain.
#[derive(Clone, Debug)]
pub struct AwardFixture {
    pub keys: AwardKeys,
    pub payout_wallet: Pubkey,
    pub uei: [u8; UEI_LEN],
}

impl World {
    /// A fresh embedded chain with an initialized ledger and one auditor.
    pub async fn new() -> Self {
        Self::on(EmbeddedChain::start().await).await
    }

    /// A fresh embedded chain with the mint but no ledger yet.
    pub async fn without_ledger() -> Self {
        Self::without_ledger_on(EmbeddedChain::start().await).await
    }
}

impl World {
    /// A fresh embedded chain whose ledger pays in a Token-2022 mint with one `extension`, set up by `init`
    /// (given the mint's address) before the mint itself is initialized.
    pub async fn token_2022(
        extension: ExtensionType,
        init: impl Fn(&Pubkey) -> Instruction,
    ) -> Self {
        let mut world = Self::without_ledger().await;
        world.mint = world.create_token_2022_mint(extension, init).await;
        world.token_program = spl_token_2022::ID;
        world.initialize().await;
        world
    }

    /// A Token-2022 mint with the world's mint authority and decimals and one `extension`, set up by `init`.
    pub async fn create_token_2022_mint(
        &mut self,
        extension: ExtensionType,
        init: impl Fn(&Pubkey) -> Instruction,
    ) -> Pubkey {
        let mint = Keypair::new();
        let len = ExtensionType::try_calculate_account_len::<Token2022Mint>(&[extension])
            .expect("mint length");
        let payer = self.chain.payer().pubkey();
        let instructions = [
            system_instruction::create_account(
                &payer,
                &mint.pubkey(),
                solana_sdk::rent::Rent::default().minimum_balance(len),
                len as u64,
                &spl_token_2022::ID,
            ),
            init(&mint.pubkey()),
            spl_token_2022::instruction::initialize_mint2(
                &spl_token_2022::ID,
                &mint.pubkey(),
                &self.mint_authority.pubkey(),
                None,
                DECIMALS,
            )
            .expect("initialize mint"),
        ];
        self.send(&instructions, &[&mint]).await.expect("mint");
        mint.pubkey()
    }

    /// A loosening of an agency's controls as the program requires it once the agency is in service: proposed by
    /// the head, its notice waited out on the chain's clock, applied. Returns the application's outcome.
    pub async fn loosen(
        &mut self,
        agency: &AgencyFixture,
        change: public_spending::state::ControlChange,
    ) -> TxOutcome {
        let subject = self.loosen_proposed(agency, change).await;
        let apply = builders::ApplyChange {
            agency: agency.agency,
            head: agency.head.pubkey(),
            subject,
        };
        self.send(&[apply.instruction()], &[&agency.head])
            .await
            .expect("apply change")
    }

    /// The first half of [`Self::loosen`]: the change proposed and its notice waited out, not yet applied.
    /// Returns the change's subject.
    pub async fn loosen_proposed(
        &mut self,
        agency: &AgencyFixture,
        change: public_spending::state::ControlChange,
    ) -> Pubkey {
        let propose = builders::ProposeChange {
            agency: agency.agency,
            head: agency.head.pubkey(),
            change,
        };
        self.send(&[propose.instruction()], &[&agency.head])
            .await
            .expect("propose change");
        let pending: public_spending::state::PendingChange = self.get(&propose.pending()).await;
        let now = self.chain.clock().await.expect("clock").unix_timestamp;
        self.chain
            .advance_clock(pending.effective_at - now)
            .await
            .expect("clock");
        pending.subject
    }

    /// `set_member` of `key` through [`Self::loosen`]: what granting a role takes in an agency in service.
    pub async fn grant(&mut self, agency: &AgencyFixture, key: Pubkey, roles: u8) -> TxOutcome {
        let change = public_spending::state::ControlChange::Member {
            key,
            roles,
            active: true,
        };
        self.loosen(agency, change).await
    }

    /// Writes an address lookup table holding `addresses` straight into the embedded chain, active from the
    /// start. (A table created by its program only serves from the slot after its last extension, and the
    /// embedded chain's slot does not advance.)
    pub fn plant_lookup_table(&mut self, addresses: Vec<Pubkey>) -> AddressLookupTableAccount {
        use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};
        let key = Pubkey::new_unique();
        let data = AddressLookupTable {
            meta: LookupTableMeta {
                deactivation_slot: u64::MAX,
                last_extended_slot: 0,
                last_extended_slot_start_index: 0,
                authority: None,
                _padding: 0,
            },
            addresses: std::borrow::Cow::Borrowed(&addresses),
        }
        .serialize_for_tests()
        .expect("lookup table");
        let account = Account {
            lamports: solana_sdk::rent::Rent::default().minimum_balance(data.len()),
            data,
            owner: solana_address_lookup_table_interface::program::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.chain.set_account(&key, account).expect("lookup table");
        AddressLookupTableAccount { key, addresses }
    }
}

impl<C: Chain> World<C> {
    /// `chain` with an initialized ledger and one auditor.
    pub async fn on(chain: C) -> Self {
        let mut world = Self::without_ledger_on(chain).await;
        world.initialize().await;
        world
    }

    /// Initializes the ledger on the world's mint and names its auditor.
    pub async fn initialize(&mut self) {
        let world = self;
        let ix = world.initialize_ledger_ix();
        world
            .send(&[ix], &[&world.admin.insecure_clone()])
            .await
            .expect("initialize ledger");
        let ix = builders::SetAuditors {
            admin: world.admin.pubkey(),
            auditors: vec![world.auditor.pubkey()],
        }
        .instruction();
        world
            .send(&[ix], &[&world.admin.insecure_clone()])
            .await
            .expect("set auditors");
    }

    /// `chain` with the mint but no ledger yet.
    pub async fn without_ledger_on(chain: C) -> Self {
        let admin = Keypair::new();
        let auditor = Keypair::new();
        let mint_authority = Keypair::new();
        for key in [&admin, &auditor, &mint_authority] {
            chain
                .airdrop(&key.pubkey(), 100_000_000_000)
                .await
                .expect("airdrop");
        }
        let mint = chain
            .create_mint(&mint_authority.pubkey(), DECIMALS)
            .await
            .expect("mint");
        Self {
            chain,
            admin,
            auditor,
            mint_authority,
            mint,
            token_program: spl_token::ID,
        }
    }

    pub fn initialize_ledger_ix(&self) -> Instruction {
        builders::InitializeLedger {
            admin: self.admin.pubkey(),
            payment_mint: self.mint,
            token_program: self.token_program,
        }
        .instruction()
    }

    pub async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        self.chain.send(instructions, signers).await
    }

    /// A new keypair with 100 SOL.
    pub async fn funded(&mut self) -> Keypair {
        agency::funded(&self.chain, 100_000_000_000)
            .await
            .expect("airdrop")
    }

    pub async fn get<T: anchor_lang::AccountDeserialize>(&self, address: &Pubkey) -> T {
        fetch(&self.chain, address).await.expect("fetch")
    }

    pub fn register_agency_ix(&self, code: &str, name: &str, head: Pubkey) -> Instruction {
        agency::register_ix(&self.admin.pubkey(), self.payment_mint(), code, name, head)
    }

    /// Registers an agency and gives each role to a distinct member, and waits out its registration's notice.
    pub async fn agency(&mut self, code: &str) -> AgencyFixture {
        let fixture = self.agency_on_notice(code).await;
        self.wait_out_registration_notice(&fixture).await;
        fixture
    }

    /// Registers an agency and gives each role to a distinct member: still on notice, its members cannot act.
    pub async fn agency_on_notice(&mut self, code: &str) -> AgencyFixture {
        let head = self.funded().await;
        let agency = pda::agency(code).0;
        let fixture = AgencyFixture {
            code: code.into(),
            agency,
            treasury: pda::treasury(&agency).0,
            budget: self.funded().await,
            obligor: self.funded().await,
            requester: self.funded().await,
            approvers: [self.funded().await, self.funded().await],
            executor: self.funded().await,
            property_officer: self.funded().await,
            head,
        };
        let members = [
            (fixture.budget.pubkey(), ROLE_BUDGET),
            (fixture.obligor.pubkey(), ROLE_OBLIGATE),
            (fixture.requester.pubkey(), ROLE_REQUEST),
            (fixture.approvers[0].pubkey(), ROLE_APPROVE),
            (fixture.approvers[1].pubkey(), ROLE_APPROVE),
            (fixture.executor.pubkey(), ROLE_EXECUTE),
            (fixture.property_officer.pubkey(), ROLE_PROPERTY),
        ];
        let name = format!("Agency {code}");
        agency::register(
            &self.chain,
            &self.admin,
            self.payment_mint(),
            (code, &name),
            &fixture.head,
            &members,
        )
        .await
        .expect("register agency and its members");
        fixture
    }

    /// Moves the chain's clock to the end of a new agency's notice, when its members may first act.
    pub async fn wait_out_registration_notice(&mut self, agency: &AgencyFixture) {
        let state: Agency = self.get(&agency.agency).await;
        let now = self.chain.unix_timestamp().await.expect("clock");
        Chain::advance_clock(&self.chain, (state.active_from - now).max(0))
            .await
            .expect("clock");
    }

    /// The ledger's payment mint and its token program.
    pub fn payment_mint(&self) -> agency::PaymentMint {
        agency::PaymentMint {
            mint: self.mint,
            token_program: self.token_program,
        }
    }

    /// Grants `amount` of budget authority for FY2026 under TAS `0100-000`, available for a year.
    pub async fn appropriation(&mut self, agency: &AgencyFixture, amount: u64) -> Pubkey {
        let ix = self
            .appropriation_ix(agency.agency, *b"0100", 2026, amount)
            .await;
        let appropriation = pda::appropriation(&agency.agency, b"0100", b"000", 2026).0;
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin])
            .await
            .expect("create appropriation");
        appropriation
    }

    pub async fn appropriation_ix(
        &self,
        agency: Pubkey,
        main_account: [u8; 4],
        fiscal_year: u16,
        amount: u64,
    ) -> Instruction {
        let now = self.chain.unix_timestamp().await.expect("clock");
        builders::CreateAppropriation {
            admin: self.admin.pubkey(),
            agency,
            args: CreateAppropriationArgs {
                main_account,
                sub_account: *b"000",
                fiscal_year,
                budget_authority: amount,
                availability_end: now + YEAR,
            },
        }
        .instruction()
    }

    /// Allots `amount` of `appropriation` at its next index; returns the allotment.
    pub async fn allot(
        &mut self,
        agency: &AgencyFixture,
        appropriation: Pubkey,
        amount: u64,
    ) -> Pubkey {
        let index = self
            .get::<state::Appropriation>(&appropriation)
            .await
            .allotment_count;
        let ix = self.allot_ix(agency, appropriation, amount).await;
        let allotment = pda::allotment(&appropriation, index).0;
        self.send(&[ix], &[&agency.budget]).await.expect("allot");
        allotment
    }

    pub async fn allot_ix(
        &self,
        agency: &AgencyFixture,
        appropriation: Pubkey,
        amount: u64,
    ) -> Instruction {
        let index = self
            .get::<state::Appropriation>(&appropriation)
            .await
            .allotment_count;
        builders::Allot {
            agency: agency.agency,
            appropriation,
            index,
            authority: agency.budget.pubkey(),
            args: AllotArgs {
                program_activity: *b"0001",
                amount,
            },
        }
        .instruction()
    }

    pub fn register_recipient_ix(
        &self,
        agency: &AgencyFixture,
        uei: [u8; UEI_LEN],
        wallet: Pubkey,
    ) -> Instruction {
        builders::RegisterRecipient {
            agency: agency.agency,
            authority: agency.obligor.pubkey(),
            args: RegisterRecipientArgs {
                uei,
                kind: RecipientKind::Business,
                name: format!("Vendor {}", String::from_utf8_lossy(&uei)),
                name_hash: [0; 32],
                payout_wallet: wallet,
            },
        }
        .instruction()
    }

    /// `obligate` to the agency's own record of `uei`.
    pub fn obligate_ix(
        &self,
        agency: &AgencyFixture,
        appropriation: Pubkey,
        allotment: Pubkey,
        uei: &[u8; UEI_LEN],
        award_id: &str,
        amount: u64,
    ) -> Instruction {
        builders::Obligate {
            agency: agency.agency,
            appropriation,
            allotment,
            recipient: pda::recipient(&agency.agency, uei).0,
            uei: *uei,
            property: None,
            authority: agency.obligor.pubkey(),
            args: ObligateArgs {
                award_id: award_id.into(),
                award_type: AwardType::Contract,
                object_class: *b"252",
                amount,
                period_start: 0,
                period_end: 4_000_000_000,
                document_hash: [7; 32],
            },
        }
        .instruction()
    }

    /// The whole chain down to a funded award: appropriation, allotment, recipient, award of `obligated`, and
    /// `obligated` tokens minted into the agency treasury.
    pub async fn award(
        &mut self,
        agency: &AgencyFixture,
        uei: &[u8; UEI_LEN],
        obligated: u64,
    ) -> AwardFixture {
        let appropriation = self.appropriation(agency, obligated * 2).await;
        let allotment = self.allot(agency, appropriation, obligated * 2).await;
        self.award_under(agency, appropriation, allotment, uei, obligated)
            .await
    }

    /// A recipient and an award of `obligated` under an existing allotment; funds the treasury with `obligated`.
    pub async fn award_under(
        &mut self,
        agency: &AgencyFixture,
        appropriation: Pubkey,
        allotment: Pubkey,
        uei: &[u8; UEI_LEN],
        obligated: u64,
    ) -> AwardFixture {
        let parents = (appropriation, allotment);
        self.award_paying(agency, parents, uei, obligated, Keypair::new().pubkey())
            .await
    }

    /// [`Self::award_under`] to a recipient whose payout wallet is `payout_wallet`.
    pub async fn award_paying(
        &mut self,
        agency: &AgencyFixture,
        (appropriation, allotment): (Pubkey, Pubkey),
        uei: &[u8; UEI_LEN],
        obligated: u64,
        payout_wallet: Pubkey,
    ) -> AwardFixture {
        let recipient = pda::recipient(&agency.agency, uei).0;
        let award_id = format!("AWD-{}", String::from_utf8_lossy(uei));
        let ixs = [
            self.register_recipient_ix(agency, *uei, payout_wallet),
            self.obligate_ix(agency, appropriation, allotment, uei, &award_id, obligated),
        ];
        self.send(&ixs, &[&agency.obligor])
            .await
            .expect("recipient and award");
        self.fund(agency, obligated).await;
        let award = pda::award(&agency.agency, &award_id).0;
        AwardFixture {
            keys: AwardKeys {
                agency: agency.agency,
                appropriation,
                allotment,
                award,
                recipient,
            },
            payout_wallet,
            uei: *uei,
        }
    }

    /// Creates the award's payout token account (idempotently; the executor pays), as a fast-path batch needs
    /// it to exist.
    pub async fn open_payout_account(&mut self, agency: &AgencyFixture, award: &AwardFixture) {
        let ix = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &agency.executor.pubkey(),
            &award.payout_wallet,
            &self.mint,
            &self.token_program,
        );
        self.send(&[ix], &[&agency.executor])
            .await
            .expect("payout token account");
    }

    /// Mints `amount` into the agency's treasury.
    pub async fn fund(&mut self, agency: &AgencyFixture, amount: u64) {
        let authority = self.mint_authority.insecure_clone();
        self.chain
            .mint_to(&self.mint, &agency.treasury, &authority, amount)
            .await
            .expect("fund treasury");
    }

    pub fn payout(&self, award: &AwardFixture) -> Payout {
        Payout {
            payment_mint: self.mint,
            token_program: self.token_program,
            payout_wallet: award.payout_wallet,
            uei: award.uei,
        }
    }

    /// Suspends, debars or (with `Lifted`) reinstates `uei` ledger-wide, as the world's auditor.
    pub fn exclusion_ix(&self, uei: &[u8; UEI_LEN], status: ExclusionStatus) -> Instruction {
        builders::SetExclusion {
            uei: *uei,
            auditor: self.auditor.pubkey(),
            status,
            grounds: grounds(),
            concurring: None,
        }
        .instruction()
    }

    /// Agency `code` with [`FAST_PATH_POLICY`]: small payments go out in one step.
    pub async fn fast_path_agency(&mut self, code: &str) -> AgencyFixture {
        let agency = self.agency(code).await;
        self.set_policy(&agency, FAST_PATH_POLICY).await;
        agency
    }

    pub async fn set_policy(&mut self, agency: &AgencyFixture, policy: ApprovalPolicy) {
        let ix = builders::SetApprovalPolicy {
            agency: agency.agency,
            head: agency.head.pubkey(),
            policy,
        }
        .instruction();
        self.send(&[ix], &[&agency.head]).await.expect("set policy");
    }

    /// Pays `amount` on the approval path: the requester requests, each approver approves, the executor
    /// executes. Returns the payment's index and what the execution did.
    pub async fn pay_through_approval(
        &mut self,
        agency: &AgencyFixture,
        award: &AwardFixture,
        amount: u64,
    ) -> (u32, TxOutcome) {
        let request = self.request_ix(agency, award, amount).await;
        self.send(&[request.instruction()], &[&agency.requester])
            .await
            .expect("request");
        for approver in &agency.approvers {
            let ix = self.decide_ix(
                agency,
                award,
                request.index,
                approver,
                builders::PaymentDecision::Approve,
            );
            self.send(&[ix], &[approver]).await.expect("approve");
        }
        let execute = self.execute_ix(agency, award, request.index);
        let executed = self
            .send(&[execute], &[&agency.executor])
            .await
            .expect("execute");
        (request.index, executed)
    }

    /// The builder for `request_payment` at the award's next index.
    pub async fn request_ix(
        &self,
        agency: &AgencyFixture,
        award: &AwardFixture,
        amount: u64,
    ) -> builders::RequestPayment {
        let index = self
            .get::<state::Award>(&award.keys.award)
            .await
            .payment_count;
        builders::RequestPayment {
            agency: agency.agency,
            award: award.keys.award,
            index,
            authority: agency.requester.pubkey(),
            reference: Keypair::new().pubkey(),
            args: payment_args(amount),
        }
    }

    /// The builder for `pay_small` at the award's next index.
    pub async fn pay_small_ix(
        &self,
        agency: &AgencyFixture,
        award: &AwardFixture,
        amount: u64,
    ) -> builders::PaySmall {
        let index = self
            .get::<state::Award>(&award.keys.award)
            .await
            .payment_count;
        builders::PaySmall {
            keys: award.keys,
            payout: self.payout(award),
            index,
            executor: agency.executor.pubkey(),
            reference: Keypair::new().pubkey(),
            args: payment_args(amount),
        }
    }

    pub fn execute_ix(
        &self,
        agency: &AgencyFixture,
        award: &AwardFixture,
        index: u32,
    ) -> Instruction {
        builders::ExecutePayment {
            keys: award.keys,
            payout: self.payout(award),
            index,
            executor: agency.executor.pubkey(),
        }
        .instruction()
    }

    pub fn decide_ix(
        &self,
        agency: &AgencyFixture,
        award: &AwardFixture,
        index: u32,
        authority: &Keypair,
        decision: builders::PaymentDecision,
    ) -> Instruction {
        builders::DecidePayment {
            agency: agency.agency,
            award: award.keys.award,
            index,
            authority: authority.pubkey(),
            decision,
        }
        .instruction()
    }

    /// Snapshots `watched`, sends, asserts the exact refusal, and asserts that none of `watched` changed.
    pub async fn expect_refused(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        expected: impl Into<Refusal>,
        watched: &[Pubkey],
    ) {
        let expected = expected.into();
        let before = self.snapshot(watched).await;
        let result = self.send(instructions, signers).await;
        expected.assert(&result);
        assert_eq!(
            self.snapshot(watched).await,
            before,
            "a refused transaction changed state"
        );
    }

    pub async fn snapshot(&self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut accounts = Vec::with_capacity(keys.len());
        for key in keys {
            accounts.push(self.chain.get_account(key).await.expect("get account"));
        }
        accounts
    }

    pub async fn balance(&self, token_account: &Pubkey) -> u64 {
        public_spending_sdk::fetch::token_balance(&self.chain, token_account)
            .await
            .expect("balance")
    }
}

impl AgencyFixture {
    pub fn set_member_ix(&self, key: Pubkey, roles: u8, active: bool) -> Instruction {
        builders::SetMember {
            agency: self.agency,
            head: self.head.pubkey(),
            args: SetMemberArgs { key, roles, active },
        }
        .instruction()
    }
}

/// Grounds for an oversight action: an audit finding with a fixed evidence hash.
/// Where a bench writes its figures: the real stdout, with the native program's `msg!` lines sent nowhere.
pub fn bench_stdout() -> Box<dyn std::io::Write> {
    match public_spending_embedded::program_logs_off_stdout(false) {
        Some(stdout) => Box::new(stdout),
        None => Box::new(std::io::stdout()),
    }
}

pub fn grounds() -> OversightArgs {
    OversightArgs {
        reason: OversightReason::AuditFinding,
        evidence_hash: [0xe5; 32],
    }
}

/// Payment arguments with a non-zero invoice hash unique to this call.
pub fn payment_args(amount: u64) -> PaymentArgs {
    PaymentArgs {
        amount,
        invoice_hash: Keypair::new().pubkey().to_bytes(),
    }
}

/// Asserts that `result` failed with exactly custom error `code` (the program's or the framework's).
pub fn assert_code<T: Debug>(result: &Result<T, SdkError>, code: u32) {
    match result {
        Err(err) => assert_eq!(
            err.code(),
            Some(code),
            "expected error code {code}, got {err}"
        ),
        Ok(ok) => panic!("expected error code {code}, but the transaction succeeded: {ok:?}"),
    }
}

/// Asserts that `result` failed with exactly `expected`.
pub fn assert_ledger_error<T: Debug>(result: &Result<T, SdkError>, expected: LedgerError) {
    assert_code(result, u32::from(expected));
}

/// Marks `key` as not signing `ix`, to prove that the program itself demands the signature.
pub fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        meta.is_signer = false;
    }
    ix
}

/// Replaces every occurrence of account `from` in `ix` with `to`.
pub fn swap_account(mut ix: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *from) {
        meta.pubkey = *to;
    }
    ix
}

/// The only event of type `E` in `outcome`, extracted by `pick`.
pub fn the_event<E>(outcome: &TxOutcome, pick: impl Fn(&LedgerEvent) -> Option<E>) -> E {
    let mut found: Vec<E> = outcome.events.iter().filter_map(pick).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one such event in {:?}",
        outcome.events
    );
    found.remove(0)
}

/// How a transaction is expected to be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A custom error code: the program's own or the framework's.
    Code(u32),
    /// A runtime error of the first instruction, e.g. the System Program refusing to re-create an account.
    Runtime(InstructionError),
}

impl Refusal {
    pub fn matches(&self, err: &SdkError) -> bool {
        match (self, err) {
            (Self::Code(code), err) => err.code() == Some(*code),
            (
                Self::Runtime(expected),
                SdkError::Transaction(TransactionError::InstructionError(0, err)),
            ) => err == expected,
            _ => false,
        }
    }

    pub fn assert<T: Debug>(&self, result: &Result<T, SdkError>) {
        match self {
            Self::Code(code) => assert_code(result, *code),
            Self::Runtime(expected) => match result {
                Err(SdkError::Transaction(TransactionError::InstructionError(0, err))) => {
                    assert_eq!(err, expected)
                }
                other => panic!("expected runtime error {expected:?}, got {other:?}"),
            },
        }
    }
}

impl From<LedgerError> for Refusal {
    fn from(error: LedgerError) -> Self {
        Self::Code(error.into())
    }
}

impl From<u32> for Refusal {
    fn from(code: u32) -> Self {
        Self::Code(code)
    }
}

impl From<anchor_lang::error::ErrorCode> for Refusal {
    fn from(code: anchor_lang::error::ErrorCode) -> Self {
        Self::Code(code.into())
    }
}

/// What the runtime answers when `init` meets an account that already exists.
pub const ALREADY_EXISTS: Refusal = Refusal::Runtime(InstructionError::InvalidInstructionData);

/// An external program a test needs (a browser, Node.js), found on `PATH`; `None` when it is missing, after
/// [`prerequisite_missing`].
pub fn external_program(name: &str, test: &str, install: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        prerequisite_missing(test, &format!("`{name}` is not installed"), install);
    }
    found
}

/// What to do when something a test needs from outside the project is missing (a browser, Node.js and its
/// packages): skip the test with one line on the terminal, unless `CI` is set. CI installs every such thing
/// (`.ci/run`), so there a missing one fails the test instead of passing it unseen.
pub fn prerequisite_missing(test: &str, what: &str, install: &str) {
    use std::io::Write;
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "{test}: {what}, and CI must run this test ({install})");
    // Straight to the terminal: the test harness captures `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {what} ({install}); it runs whenever CI is set"
    );
}
