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

use public_spending::constants::UEI_LEN;

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

mod agency;
mod awards;
mod budget;
mod flags;
mod governance;
mod oversight;
mod payments;
mod property;

pub use {
    agency::*, awards::*, budget::*, flags::*, governance::*, oversight::*, payments::*,
    property::*,
};
