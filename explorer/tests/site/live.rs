//! The explorer over a ledger that moves: a payment made after the pages started appears once the index has
//! read it (and a re-read of an index that has not moved changes nothing), and a vendor whose registered name is
//! markup is shown as that text.

use std::sync::Arc;

use public_spending::{instructions::RegisterRecipientArgs, state::RecipientKind};
use public_spending_explorer::Explorer;
use public_spending_sdk::{
    builders::{self, AwardKeys},
    pda,
};
use public_spending_tests::{AwardFixture, World, UNIT};
use public_spending_watchdog::{index, Location, Store};
use solana_sdk::signature::{Keypair, Signer};

const UEI: &[u8; 12] = b"XSSVENDOR001";
const NAME: &str = "<script>alert(1)</script>";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_payment_appears_when_the_index_moves_and_a_vendors_markup_is_text() {
    let mut world = World::new().await;
    let agency = world.fast_path_agency("075").await;
    let appropriation = world.appropriation(&agency, 10_000 * UNIT).await;
    let allotment = world.allot(&agency, appropriation, 10_000 * UNIT).await;
    let wallet = Keypair::new().pubkey();
    let register = builders::RegisterRecipient {
        agency: agency.agency,
        authority: agency.obligor.pubkey(),
        args: RegisterRecipientArgs {
            uei: *UEI,
            kind: RecipientKind::Business,
            name: NAME.into(),
            name_hash: [0; 32],
            payout_wallet: wallet,
        },
    }
    .instruction();
    let obligate = world.obligate_ix(
        &agency,
        appropriation,
        allotment,
        UEI,
        "AWD-XSS",
        5_000 * UNIT,
    );
    world
        .send(&[register, obligate], &[&agency.obligor])
        .await
        .unwrap();
    world.fund(&agency, 5_000 * UNIT).await;
    let award = AwardFixture {
        keys: AwardKeys {
            agency: agency.agency,
            appropriation,
            allotment,
            award: pda::award(&agency.agency, "AWD-XSS").0,
            recipient: pda::recipient(&agency.agency, UEI).0,
        },
        payout_wallet: wallet,
        uei: *UEI,
    };
    pay(&mut world, &agency, &award, 10 * UNIT).await;

    let dir = tempfile::tempdir().unwrap();
    let db = Location::Sqlite(dir.path().join("index.sqlite"));
    let mut store = Store::open(db.clone()).unwrap();
    index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    let explorer = Arc::new(Explorer::open(db, None).unwrap());
    let listener = public_spending_explorer::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(public_spending_explorer::serve(
        listener,
        Arc::clone(&explorer),
        async {
            let _ = stopped.await;
        },
    ));
    let page = || async {
        reqwest::get(format!("{url}/recipient/XSSVENDOR001"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    let html = page().await;
    assert!(!html.contains(NAME), "the name came back as markup");
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    assert!(html.contains("Rows 1 to 1 of 1."), "{html}");

    // Paid again: the pages show it once the index has read it, not before.
    let second = pay(&mut world, &agency, &award, 20 * UNIT).await;
    assert!(!explorer.reload().unwrap(), "the index has not moved yet");
    assert!(page().await.contains("Rows 1 to 1 of 1."));
    index::index(&world.chain, &mut store, |_| {})
        .await
        .unwrap();
    assert!(explorer.reload().unwrap());
    let html = page().await;
    assert!(html.contains("Rows 1 to 2 of 2."), "{html}");
    assert!(html.contains(&format!("/payment/{}", second.signature)));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// A fast-path payment of `amount` on `award`.
async fn pay(
    world: &mut World,
    agency: &public_spending_tests::AgencyFixture,
    award: &AwardFixture,
    amount: u64,
) -> public_spending_sdk::TxOutcome {
    let ix = world
        .pay_small_ix(agency, award, amount)
        .await
        .instruction();
    world.send(&[ix], &[&agency.executor]).await.unwrap()
}
