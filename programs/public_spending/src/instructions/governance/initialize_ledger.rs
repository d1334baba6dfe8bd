use anchor_lang::prelude::*;
use anchor_spl::{
    token_2022::spl_token_2022::{
        extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
        state::Mint as Token2022Mint,
    },
    token_interface::{Mint, TokenInterface},
};

use crate::{
    constants::*,
    error::LedgerError,
    events::LedgerInitialized,
    state::{ExclusionList, Ledger, LedgerLimits},
};

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeLedger<'info> {
    #[account(init, payer = admin, space = Ledger::SPACE, seeds = [LEDGER_SEED], bump)]
    pub ledger: Account<'info, Ledger>,
    /// The ledger's list of UEIs under an exclusion in force, empty until an auditor debars one.
    #[account(init, payer = admin, space = ExclusionList::HEADER, seeds = [EXCLUSION_LIST_SEED], bump)]
    pub exclusion_list: Account<'info, ExclusionList>,
    /// First ledger admin; pays for the ledger and exclusion list accounts.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The stablecoin every agency will pay in.
    #[account(mint::token_program = token_program)]
    pub payment_mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// Token-2022 mint extensions the ledger refuses. A permanent delegate can move the treasury's funds without the
/// program; a transfer hook runs a program of the mint's choosing on every payment; confidential transfers hide
/// the amounts the public record exists to show; non-transferable tokens cannot be paid at all. A transfer fee
/// is accepted: each payment on which the fee is not zero is refused (`TransferFeeCharged`), so that a vendor
/// always receives the invoice amount the ledger records.
pub const REFUSED_MINT_EXTENSIONS: [ExtensionType; 5] = [
    ExtensionType::TransferHook,
    ExtensionType::PermanentDelegate,
    ExtensionType::ConfidentialTransferMint,
    ExtensionType::ConfidentialTransferFeeConfig,
    ExtensionType::NonTransferable,
];

impl InitializeLedger<'_> {
    /// A mint of at most [`MAX_MINT_DECIMALS`] decimals: an SPL Token mint, or a Token-2022 mint with none of
    /// [`REFUSED_MINT_EXTENSIONS`].
    pub fn validate(&self) -> Result<()> {
        require!(
            self.payment_mint.decimals <= MAX_MINT_DECIMALS,
            LedgerError::MintDecimalsTooMany
        );
        let mint = self.payment_mint.to_account_info();
        if *mint.owner != anchor_spl::token_2022::ID {
            return Ok(());
        }
        let data = mint.try_borrow_data()?;
        let state = StateWithExtensions::<Token2022Mint>::unpack(&data)
            .map_err(|_| LedgerError::UnsupportedMintExtension)?;
        let extensions = state
            .get_extension_types()
            .map_err(|_| LedgerError::UnsupportedMintExtension)?;
        require!(
            !extensions
                .iter()
                .any(|e| REFUSED_MINT_EXTENSIONS.contains(e)),
            LedgerError::UnsupportedMintExtension
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<InitializeLedger>) -> Result<()> {
    let ledger = &mut ctx.accounts.ledger;
    ledger.set_inner(Ledger {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.ledger,
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        payment_mint: ctx.accounts.payment_mint.key(),
        mint_decimals: ctx.accounts.payment_mint.decimals,
        token_program: ctx.accounts.token_program.key(),
        paused: false,
        agency_count: 0,
        auditors: Vec::new(),
        limits: LedgerLimits::INITIAL,
    });
    ledger.invariant()?;
    ctx.accounts.exclusion_list.set_inner(ExclusionList {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.exclusion_list,
        ueis: Vec::new(),
    });
    emit_cpi!(LedgerInitialized {
        ledger: ledger.key(),
        admin: ledger.admin,
        payment_mint: ledger.payment_mint,
        mint_decimals: ledger.mint_decimals,
        token_program: ledger.token_program,
    });
    Ok(())
}
