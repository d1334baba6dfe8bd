//! Decoding the program's events from the `emit_cpi!` self-invocations recorded as inner instructions.

use anchor_lang::{event::EVENT_IX_TAG_LE, prelude::Pubkey, AnchorDeserialize, Discriminator};
use public_spending::{events as ev, ID};

macro_rules! ledger_events {
    ($($name:ident),* $(,)?) => {
        /// Any event the program emits.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum LedgerEvent {
            $($name(ev::$name),)*
        }

        impl LedgerEvent {
            /// Decodes the data of one `emit_cpi!` inner instruction; `None` for anything else.
            pub fn decode(data: &[u8]) -> Option<Self> {
                let body = data.strip_prefix(EVENT_IX_TAG_LE)?;
                $(
                    if let Some(mut fields) = body.strip_prefix(ev::$name::DISCRIMINATOR) {
                        return ev::$name::deserialize(&mut fields).ok().map(Self::$name);
                    }
                )*
                None
            }

            /// Every event this decoder reads, by the IDL's names: the IDL test checks that it is every event the
            /// program declares, so that none is dropped unread.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Each event's discriminator, in the order of [`Self::NAMES`].
            pub const DISCRIMINATORS: &'static [&'static [u8]] = &[$(ev::$name::DISCRIMINATOR),*];

            /// The event's name as the IDL spells it.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

ledger_events!(
    LedgerInitialized,
    AdminProposed,
    AdminAccepted,
    AuditorsSet,
    LedgerLimitsSet,
    PauseSet,
    AgencyRegistered,
    MemberSet,
    ApprovalPolicySet,
    ChangeProposed,
    ChangeApplied,
    ChangeVetoed,
    ChangeWithdrawn,
    AppropriationCreated,
    Allotted,
    AppropriationExpired,
    RecipientRegistered,
    PayoutWalletProposed,
    PayoutWalletConfirmed,
    AwardObligated,
    AwardModified,
    AwardClosed,
    PaymentRequested,
    PaymentApproved,
    PaymentRejected,
    PaymentCancelled,
    PaymentExecuted,
    PaymentArchived,
    AgencyFreezeSet,
    PaymentHoldSet,
    AwardHoldSet,
    ExclusionSet,
    FlagRaised,
    FlagResponded,
    FlagResolved,
    FlagClosed,
    PropertyRegistered,
    PropertyUpdated,
    PropertyDisposed,
);

/// Decodes the events among a transaction's inner instructions, given each one's program id and data, in order.
pub fn decode_events<'a>(
    inner: impl IntoIterator<Item = (&'a Pubkey, &'a [u8])>,
) -> Vec<LedgerEvent> {
    inner
        .into_iter()
        .filter(|(program, _)| **program == ID)
        .filter_map(|(_, data)| LedgerEvent::decode(data))
        .collect()
}
