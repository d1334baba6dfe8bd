//! The year's set-up: each agency registered and staffed, its budget appropriated and allotted, its vendors
//! and individuals registered and obligated, agency 075's buildings.

use super::*;

impl Demo<'_> {
    pub(super) async fn setup_agency(
        &mut self,
        code: &'static str,
        name: &'static str,
    ) -> Result<DemoAgency> {
        let staff = Staff {
            head: self.funded().await?,
            budget: self.funded().await?,
            contracting: self.funded().await?,
            clerk: self.funded().await?,
            certifiers: [
                self.funded().await?,
                self.funded().await?,
                self.funded().await?,
            ],
            disbursing: self.funded().await?,
            facilities: self.funded().await?,
            contracting_chief: self.funded().await?,
        };
        let members: Vec<(Pubkey, u8)> = [
            (&staff.budget, ROLE_BUDGET),
            (&staff.contracting, ROLE_OBLIGATE),
            (&staff.clerk, ROLE_REQUEST),
            (&staff.certifiers[0], ROLE_APPROVE),
            (&staff.certifiers[1], ROLE_APPROVE),
            (&staff.certifiers[2], ROLE_APPROVE),
            (&staff.disbursing, ROLE_EXECUTE),
            (&staff.facilities, ROLE_PROPERTY),
            (&staff.contracting_chief, ROLE_OBLIGATE),
        ]
        .iter()
        .map(|(key, roles)| (key.pubkey(), *roles))
        .collect();
        let payment = agency::PaymentMint {
            mint: self.mint,
            token_program: self.token_program,
        };
        let address = agency::register(
            self.chain(),
            &self.admin,
            payment,
            (code, name),
            &staff.head,
            &members,
        )
        .await?;
        let policy = ApprovalPolicy {
            threshold: 25_000 * DOLLAR,
            approvals_required: 2,
            time_lock_seconds: DAY as u32,
            fast_path_daily_cap: 100_000 * DOLLAR,
        };
        self.perform(
            &builders::SetApprovalPolicy {
                agency: address,
                head: staff.head.pubkey(),
                policy,
            },
            &staff.head,
        )
        .await?;
        // A new agency is on notice for the ledger's minimum notice: its staff and policy are public, and its
        // members act once it is over.
        let registered: Agency = self.client.fetch(&address).await?;
        let now = self.chain().clock().await?.unix_timestamp;
        self.chain()
            .advance_clock((registered.active_from - now).max(0))
            .await?;
        Ok(DemoAgency {
            code,
            name,
            address,
            staff,
            awards: Vec::new(),
            approved: std::cell::Cell::new(0),
        })
    }

    /// Registers a recipient and obligates an award to it. `individual` (a number for the made-up name) makes
    /// the recipient a person, whose name goes on chain only as a salted hash.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn new_award(
        &mut self,
        agency: &DemoAgency,
        (appropriation, allotment): (Pubkey, Pubkey),
        uei: &str,
        award_id: &str,
        individual: Option<usize>,
        obligated: u64,
        (period_start, period_end): (i64, i64),
        property: Option<Pubkey>,
    ) -> Result<DemoAward> {
        let uei_bytes: [u8; UEI_LEN] = uei
            .as_bytes()
            .try_into()
            .map_err(|_| ScenarioError::Script(format!("bad demo UEI {uei}")))?;
        let wallet = Keypair::new().pubkey();
        let (kind, name, name_hash) = match individual {
            Some(n) => (
                RecipientKind::Individual,
                String::new(),
                individual_name_hash(agency.code.as_bytes(), &format!("Jordan Example {n}")),
            ),
            None => (
                RecipientKind::Business,
                format!("{} Contractor {} LLC", agency.code, &uei[4..]),
                [0; 32],
            ),
        };
        let register = builders::RegisterRecipient {
            agency: agency.address,
            authority: agency.staff.contracting.pubkey(),
            args: RegisterRecipientArgs {
                uei: uei_bytes,
                kind,
                name,
                name_hash,
                payout_wallet: wallet,
            },
        };
        let recipient = register.recipient();
        let award_type = if individual.is_some() {
            AwardType::DirectPayment
        } else if award_id.ends_with('3') || award_id.ends_with('6') {
            AwardType::Grant
        } else {
            AwardType::Contract
        };
        let obligate = builders::Obligate {
            agency: agency.address,
            appropriation,
            allotment,
            recipient,
            uei: uei_bytes,
            property,
            authority: agency.staff.contracting.pubkey(),
            args: ObligateArgs {
                award_id: award_id.into(),
                award_type,
                // Grants to individuals; rent of space (233) and maintenance of facilities (252) otherwise.
                object_class: if individual.is_some() {
                    *b"420"
                } else if property.is_some() && award_id.ends_with('R') {
                    *b"233"
                } else {
                    *b"252"
                },
                amount: obligated,
                period_start,
                period_end,
                document_hash: solana_sha256_hasher::hash(award_id.as_bytes()).to_bytes(),
            },
        };
        let keys = AwardKeys {
            agency: agency.address,
            appropriation,
            allotment,
            award: obligate.award(),
            recipient,
        };
        self.send(
            &[register.instruction(), obligate.instruction()],
            &agency.staff.contracting,
        )
        .await?;
        Ok(DemoAward {
            keys,
            award_id: award_id.into(),
            uei: uei.into(),
            payout: builders::Payout {
                payment_mint: self.mint,
                token_program: self.token_program,
                payout_wallet: wallet,
                uei: uei_bytes,
            },
        })
    }

    pub(super) async fn budget(
        &mut self,
        agency: &mut DemoAgency,
        agency_index: usize,
    ) -> Result<()> {
        let now = self.client.backend().clock().await?.unix_timestamp;
        let admin = self.admin.insecure_clone();
        let mut vendor = 0;
        for (main_account, authority) in [
            (*b"0100", 5_000_000 * DOLLAR),
            (*b"0200", 2_000_000 * DOLLAR),
        ] {
            let create = builders::CreateAppropriation {
                admin: admin.pubkey(),
                agency: agency.address,
                args: CreateAppropriationArgs {
                    main_account,
                    sub_account: *b"000",
                    fiscal_year: 2026,
                    budget_authority: authority,
                    availability_end: FISCAL_YEAR_END,
                },
            };
            let appropriation = create.appropriation();
            self.perform(&create, &admin).await?;
            for (index, (activity, share)) in
                [(*b"0001", 60), (*b"0002", 40)].into_iter().enumerate()
            {
                let allot = builders::Allot {
                    agency: agency.address,
                    appropriation,
                    index: index as u32,
                    authority: agency.staff.budget.pubkey(),
                    args: AllotArgs {
                        program_activity: activity,
                        amount: authority / 100 * share,
                    },
                };
                let allotment = allot.allotment();
                self.perform(&allot, &agency.staff.budget).await?;
                // Two payees per allotment: businesses, and one individual per agency.
                for _ in 0..2 {
                    vendor += 1;
                    let obligated = self.rng.between(250_000, 390_000) * DOLLAR;
                    let award = self
                        .new_award(
                            agency,
                            (appropriation, allotment),
                            &format!("{}V{agency_index}{vendor:07}", agency.code),
                            &format!("{}-26-{vendor:04}", agency.code),
                            (vendor == 4).then_some(vendor),
                            obligated,
                            (now, FISCAL_YEAR_END),
                            None,
                        )
                        .await?;
                    agency.awards.push(award);
                }
            }
        }
        if agency.code == "075" {
            self.buildings(agency, now).await?;
        }
        let treasury = pda::treasury(&agency.address).0;
        self.chain()
            .mint_to(&self.mint, &treasury, &admin, TREASURY_FUNDING)
            .await?;
        Ok(())
    }

    /// Agency 075's property register: an owned headquarters building with a maintenance contract, and a
    /// leased warehouse with its rent, both obligated under the first allotment and paid monthly.
    pub(super) async fn buildings(&mut self, agency: &DemoAgency, now: i64) -> Result<()> {
        let location =
            |city: &str, state: &[u8; 2], zip: &[u8; 5], lat: i32, lon: i32| PropertyLocation {
                state: *state,
                city: city.into(),
                zip: *zip,
                latitude: Some(lat),
                longitude: Some(lon),
            };
        let buildings = [
            (
                "075-DC-0001",
                PropertyDetails {
                    property_type: PropertyType::Building,
                    property_use: PropertyUse::Office,
                    legal_interest: LegalInterest::Owned,
                    status: PropertyStatus::Active,
                    size: 412_000,
                    size_unit: SizeUnit::SquareFeet,
                    location: location("Washington", b"DC", b"20201", 38_886_700, -77_014_500),
                    condition_index: 78,
                    annual_operating_cost: 4_800_000 * DOLLAR,
                    annual_rent: 0,
                    lease_start: 0,
                    lease_end: 0,
                },
                "075P00000001",
                "075-26-0101M",
                12_000 * DOLLAR,
            ),
            (
                "075-MD-0417",
                PropertyDetails {
                    property_type: PropertyType::Building,
                    property_use: PropertyUse::Warehouse,
                    legal_interest: LegalInterest::Leased,
                    status: PropertyStatus::Active,
                    size: 96_500,
                    size_unit: SizeUnit::SquareFeet,
                    location: location("Baltimore", b"MD", b"21230", 39_276_100, -76_611_900),
                    condition_index: 64,
                    annual_operating_cost: 310_000 * DOLLAR,
                    annual_rent: 228_000 * DOLLAR,
                    lease_start: FISCAL_YEAR_START,
                    lease_end: FISCAL_YEAR_END + 4 * 365 * DAY,
                },
                "075P00000002",
                "075-26-0102R",
                19_000 * DOLLAR,
            ),
        ];
        let appropriation = pda::appropriation(&agency.address, b"0100", b"000", 2026).0;
        let allotment = pda::allotment(&appropriation, 0).0;
        for (rpuid, details, uei, award_id, monthly) in buildings {
            let leased = details.legal_interest == LegalInterest::Leased;
            let register = builders::RegisterProperty {
                agency: agency.address,
                authority: agency.staff.facilities.pubkey(),
                rpuid: rpuid.into(),
                details,
            };
            self.perform(&register, &agency.staff.facilities).await?;
            let award = self
                .new_award(
                    agency,
                    (appropriation, allotment),
                    uei,
                    award_id,
                    None,
                    monthly * 12,
                    (now, FISCAL_YEAR_END),
                    Some(register.property()),
                )
                .await?;
            self.say(format_args!(
                "property {} {rpuid}: {} building, {} a month of {} on award {award_id}",
                agency.code,
                if leased { "leased" } else { "owned" },
                grouped(monthly),
                if leased { "rent" } else { "maintenance" },
            ));
            self.building_awards.push((award, monthly));
        }
        Ok(())
    }
}
