//! Typed instruction builders: a struct of the keys an instruction needs, turned into an [`Instruction`] with
//! every PDA derived here. Callers never assemble account lists by hand.

use anchor_lang::{
    prelude::Pubkey,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        system_program,
    },
    InstructionData, ToAccountMetas,
};
use anchor_spl::associated_token;
use public_spending::{
    accounts as acc, instruction as data,
    instructions::{
        AllotArgs, AwardChange, BatchPayment, ConfirmPayoutWalletArgs, CreateAppropriationArgs,
        DebarRecipientArgs, DisposePropertyArgs, FastPaymentArgs, ModifyAwardArgs, ObligateArgs,
        PayBatchArgs, PaymentArgs, ProposeAdminArgs, ProposePayoutWalletArgs, RaiseFlagArgs,
        RegisterAgencyArgs, RegisterPropertyArgs, RegisterRecipientArgs, ResolveFlagArgs,
        RespondToFlagArgs, SetAuditorsArgs, SetMemberArgs,
    },
    state::{
        ApprovalPolicy, ControlChange, ExclusionStatus, FlagReason, FlagStatus, FlagTarget,
        LedgerLimits, OversightArgs, PropertyDetails,
    },
    ID,
};

use public_spending::constants::{AUDITORS_SUBJECT, LIMITS_SUBJECT, UEI_LEN};

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn ledger() -> Pubkey {
    pda::ledger().0
}

/// The accounts every auditor's action starts with: the ledger and the auditor.
fn auditing(auditor: Pubkey) -> acc::Auditing {
    acc::Auditing {
        ledger: ledger(),
        auditor,
    }
}

/// The accounts every member's action starts with: the ledger, the agency, the signer's member record, the signer.
fn acting(agency: Pubkey, authority: Pubkey) -> acc::Acting {
    acc::Acting {
        ledger: ledger(),
        agency,
        member: pda::member(&agency, &authority).0,
        authority,
    }
}

/// A typed user action, as the SDK turns it into instructions: every builder here is one, and
/// [`crate::Client::perform`] sends it. A caller (the CLI, a newsroom's script) describes what to do with one of
/// these and never assembles an instruction itself.
pub trait Operation {
    fn instructions(&self) -> Vec<Instruction>;
}

macro_rules! operations {
    ($($builder:ty),* $(,)?) => {
        $(impl Operation for $builder {
            fn instructions(&self) -> Vec<Instruction> {
                vec![self.instruction()]
            }
        })*
    };
}

operations!(
    agency::RegisterAgency,
    agency::SetMember,
    agency::SetApprovalPolicy,
    agency::ProposeChange,
    agency::ApplyChange,
    agency::WithdrawChange,
    agency::VetoChange,
    awards::RegisterRecipient,
    awards::Obligate,
    awards::ModifyAward,
    awards::CloseAward,
    awards::ChangePayoutWallet,
    budget::CreateAppropriation,
    budget::Allot,
    budget::ExpireAppropriation,
    budget::FundTreasury,
    flags::RaiseFlag,
    flags::RespondToFlag,
    flags::ResolveFlag,
    flags::CloseFlag,
    governance::InitializeLedger,
    governance::ProposeAdmin,
    governance::AcceptAdmin,
    governance::SetAuditors,
    governance::ProposeAuditors,
    governance::ApplyAuditors,
    governance::LedgerLimitsChange,
    governance::SetPaused,
    oversight::SetAgencyFrozen,
    oversight::SetPaymentHeld,
    oversight::SetAwardHeld,
    oversight::SetExclusion,
    payments::RequestPayment,
    payments::DecidePayment,
    payments::ExecutePayment,
    payments::PaySmall,
    payments::PayBatch,
    payments::ArchivePayment,
    property::RegisterProperty,
    property::ChangeProperty,
);

mod agency;
mod awards;
mod budget;
mod flags;
mod governance;
mod oversight;
mod payments;
mod property;

pub(crate) use governance::propose_change as propose_change_ix;
pub use {
    agency::*, awards::*, budget::*, flags::*, governance::*, oversight::*, payments::*,
    property::*,
};
