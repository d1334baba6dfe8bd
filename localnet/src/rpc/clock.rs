//! The served chain's clock, moved by hand: what `solana-test-validator` does with `--warp-slot`, as a method a
//! test (or `pubspend clock advance -u <served URL>`) calls while the node runs. Not an agave method: a real
//! cluster keeps its own time.

use jsonrpsee::{
    core::{async_trait, RpcResult},
    proc_macros::rpc,
};

use super::{internal, Rpc};

/// The longest step one call takes: a hundred years, as `pubspend clock advance` allows.
const MAX_STEP_SECONDS: i64 = 100 * 366 * 24 * 60 * 60;

#[rpc(server)]
pub trait Clock {
    /// Moves the chain's clock `seconds` forward (0 to a hundred years) and returns its new unix timestamp.
    #[method(name = "pubspend_advanceClock")]
    async fn advance_clock(&self, seconds: i64) -> RpcResult<i64>;
}

#[async_trait]
impl ClockServer for Rpc {
    async fn advance_clock(&self, seconds: i64) -> RpcResult<i64> {
        if !(0..=MAX_STEP_SECONDS).contains(&seconds) {
            return Err(internal(format!(
                "the clock moves forward by 0 to {MAX_STEP_SECONDS} seconds, not {seconds}"
            )));
        }
        let chain = self.node.chain();
        chain.advance_clock(seconds).await.map_err(internal)?;
        self.node.clock_moved();
        Ok(chain.clock().await.map_err(internal)?.unix_timestamp)
    }
}
