//! Batched JSON-RPC: `pubspend serve` answers an array of calls with an array of replies, as a validator does,
//! and the SDK's batched history reads what one call per transaction reads, through a node that rate-limits
//! (HTTP 429) and reports itself behind (-32005), sending again only what was refused.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use public_spending_sdk::{
    backend::{Backend, RpcBackend},
    history::{History, MAX_PAGE},
    rpc_batch::{BatchOptions, NODE_BUSY},
};
use serde_json::{json, Value};
use solana_sdk::{signature::Keypair, signer::Signer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{serve, Served};

async fn post(url: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_a_batch_of_calls_with_a_reply_to_each() {
    let served = serve().await;
    let url = served.running.rpc_url();
    let (status, replies) = post(
        &url,
        &json!([
            {"jsonrpc": "2.0", "id": 1, "method": "getGenesisHash"},
            {"jsonrpc": "2.0", "id": "second", "method": "getSlot", "params": [{"commitment": "processed"}]},
            {"jsonrpc": "2.0", "id": 3, "method": "noSuchMethod"},
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), 3);
    let reply = |id: Value| replies.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        reply(json!(1))["result"],
        served.rpc().get_genesis_hash().await.unwrap().to_string()
    );
    assert!(reply(json!("second"))["result"].is_u64());
    assert_eq!(reply(json!(3))["error"]["code"], -32601);
}

/// What the node in front of the real one does to each request, by its number (from 0).
type Meddle = Arc<dyn Fn(usize, Value) -> Reply + Send + Sync>;

enum Reply {
    /// HTTP 429 with a `Retry-After` of 0 seconds.
    TooMany,
    /// Pass the request on and hand back the node's reply, after `edit`.
    Forward(fn(Value) -> Value),
}

/// A node in front of `url` that answers as `meddle` says (one request per connection), and counts requests.
async fn meddling_node(url: String, meddle: Meddle) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (url, meddle, counted) = (url.clone(), meddle.clone(), counted.clone());
            tokio::spawn(async move {
                let body = read_request(&mut socket).await;
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let (status, extra, reply) = match meddle(n, serde_json::from_slice(&body).unwrap())
                {
                    Reply::TooMany => {
                        ("429 Too Many Requests", "Retry-After: 0\r\n", String::new())
                    }
                    Reply::Forward(edit) => {
                        let (_, reply) = post(&url, &serde_json::from_slice(&body).unwrap()).await;
                        ("200 OK", "", edit(reply).to_string())
                    }
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.len()
                );
                socket.write_all(head.as_bytes()).await.unwrap();
                socket.write_all(reply.as_bytes()).await.unwrap();
                socket.shutdown().await.unwrap();
            });
        }
    });
    (format!("http://{address}"), requests)
}

/// An HTTP request's body (its headers read up to the blank line, then Content-Length bytes).
async fn read_request(socket: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = socket.read(&mut buffer).await.unwrap();
        assert!(n > 0, "the client hung up mid-request");
        bytes.extend_from_slice(&buffer[..n]);
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            while bytes.len() < end + 4 + length {
                let n = socket.read(&mut buffer).await.unwrap();
                assert!(n > 0, "the client hung up mid-body");
                bytes.extend_from_slice(&buffer[..n]);
            }
            return bytes[end + 4..end + 4 + length].to_vec();
        }
    }
}

/// The first reply of a batch turned into "node is behind".
fn first_busy(mut replies: Value) -> Value {
    let first = &mut replies.as_array_mut().unwrap()[0];
    *first = json!({"jsonrpc": "2.0", "id": first["id"], "error": {"code": NODE_BUSY, "message": "Node is behind by 42 slots"}});
    replies
}

const PROMPT: BatchOptions = BatchOptions {
    calls_per_request: 8,
    concurrency: 2,
    max_attempts: 3,
    first_delay: std::time::Duration::from_millis(1),
    max_delay: std::time::Duration::from_millis(4),
};

/// Thirty transfers and their signatures, newest first, as the history pages them.
async fn thirty_transactions(
    served: &Served,
) -> (RpcBackend, Vec<solana_sdk::signature::Signature>) {
    let backend = served.backend().await;
    for n in 0..30 {
        let pay = [anchor_lang::solana_program::system_instruction::transfer(
            &backend.fee_payer(),
            &Keypair::new().pubkey(),
            1_000_000 + n,
        )];
        backend.send(&pay, &[]).await.unwrap();
    }
    let page = backend
        .signatures_for_address(&backend.fee_payer(), None, None, MAX_PAGE)
        .await
        .unwrap();
    assert_eq!(page.len(), 31, "thirty transfers and the airdrop");
    (
        backend,
        page.into_iter().map(|info| info.signature).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_history_reads_what_one_call_each_reads_through_rate_limits() {
    let served = serve().await;
    let (backend, signatures) = thirty_transactions(&served).await;
    let mut one_by_one = Vec::new();
    for signature in &signatures {
        one_by_one.push(backend.transaction(signature).await.unwrap());
    }
    assert!(one_by_one.iter().all(Option::is_some));

    // The first request is refused whole (429); the second's first call is refused (-32005); the rest pass.
    let meddle: Meddle = Arc::new(|n, _| match n {
        0 => Reply::TooMany,
        1 => Reply::Forward(first_busy),
        _ => Reply::Forward(|replies| replies),
    });
    let (url, requests) = meddling_node(served.running.rpc_url(), meddle).await;
    let batched = RpcBackend::new(url, Keypair::new()).with_batch_options(PROMPT);
    let read = batched.transactions(&signatures).await.unwrap();
    assert_eq!(read, one_by_one);
    // 31 calls in 4 requests of up to 8, one request refused whole and sent again, and one call sent again.
    assert_eq!(requests.load(Ordering::SeqCst), 4 + 1 + 1);

    // An unknown signature reads as unknown, in its place.
    let unknown = solana_sdk::signature::Signature::from([7u8; 64]);
    let read = RpcBackend::new(served.running.rpc_url(), Keypair::new())
        .with_batch_options(PROMPT)
        .transactions(&[signatures[0], unknown, signatures[1]])
        .await
        .unwrap();
    assert_eq!(
        read,
        vec![one_by_one[0].clone(), None, one_by_one[1].clone()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_keeps_refusing_is_given_up_on_after_the_attempts_with_a_reason() {
    let served = serve().await;
    let (_, signatures) = thirty_transactions(&served).await;
    for (meddle, what) in [
        (Arc::new(|_, _| Reply::TooMany) as Meddle, "429"),
        (
            Arc::new(|_, _| Reply::Forward(first_busy)) as Meddle,
            "-32005",
        ),
    ] {
        let (url, requests) = meddling_node(served.running.rpc_url(), meddle).await;
        let refused = RpcBackend::new(url.clone(), Keypair::new())
            .with_batch_options(BatchOptions {
                calls_per_request: 100,
                ..PROMPT
            })
            .transactions(&signatures)
            .await
            .unwrap_err()
            .to_string();
        let count = if what == "429" { 31 } else { 1 };
        assert!(
            refused.contains(&format!(
                "the node at {url} kept refusing {count} getTransaction call(s) (rate limited or behind) after 3 attempts"
            )),
            "{what}: {refused}"
        );
        assert_eq!(requests.load(Ordering::SeqCst), 3, "{what}");
    }
}
