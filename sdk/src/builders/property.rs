//! Government property (`instructions/property`).

use super::*;

/// `register_property`: a PROPERTY member signs and pays.
pub struct RegisterProperty {
    pub agency: Pubkey,
    pub authority: Pubkey,
    pub rpuid: String,
    pub details: PropertyDetails,
}

impl RegisterProperty {
    pub fn property(&self) -> Pubkey {
        pda::property(&self.agency, &self.rpuid).0
    }

    pub fn instruction(&self) -> Instruction {
        build(
            acc::RegisterProperty {
                acting: acting(self.agency, self.authority),
                property: self.property(),
                system_program: system_program::ID,
                event_authority: pda::event_authority(),
                program: ID,
            },
            data::RegisterProperty {
                args: RegisterPropertyArgs {
                    rpuid: self.rpuid.clone(),
                    details: self.details.clone(),
                },
            },
        )
    }
}

/// What `ChangeProperty` does to a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropertyChange {
    Update(PropertyDetails),
    Dispose(DisposePropertyArgs),
}

/// `update_property` or `dispose_property`: a PROPERTY member of the property's agency signs.
pub struct ChangeProperty {
    pub agency: Pubkey,
    pub property: Pubkey,
    pub authority: Pubkey,
    pub change: PropertyChange,
}

impl ChangeProperty {
    pub fn instruction(&self) -> Instruction {
        let accounts = acc::ChangeProperty {
            acting: acting(self.agency, self.authority),
            property: self.property,
            event_authority: pda::event_authority(),
            program: ID,
        };
        match &self.change {
            PropertyChange::Update(details) => build(
                accounts,
                data::UpdateProperty {
                    details: details.clone(),
                },
            ),
            PropertyChange::Dispose(args) => {
                build(accounts, data::DisposeProperty { args: args.clone() })
            }
        }
    }
}
