//! Forgetting consumers: a consumer idle for longer than
//! [`consumer_expiry`](crate::redis::StationConfig::consumer_expiry) that owns no pending
//! entry is removed from the group, so that `XINFO CONSUMERS` does not grow with every
//! process that ever served the path.

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::conn::query;
use crate::redis::group::millis;

/// Removes the consumers of the group that own nothing and were idle for at least `ARGV[2]`
/// ms, but `ARGV[3]` (the caller). `KEYS[1]`: the stream, `ARGV[1]`: the group. Checked and
/// removed in one step: `XGROUP DELCONSUMER` drops a consumer's pending entries with it, so a
/// consumer that read something between a check and a separate removal would lose them.
/// Returns the names removed.
const FORGET: &str = r#"#!lua
local removed = {}
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local fields = {}
  for i = 1, #consumer, 2 do
    fields[consumer[i]] = consumer[i + 1]
  end
  if fields['pending'] == 0 and fields['idle'] >= tonumber(ARGV[2]) and fields['name'] ~= ARGV[3] then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
    removed[#removed + 1] = fields['name']
  end
end
return removed
"#;

/// Forgets the idle consumers of `shared`'s group that own nothing (logged; a failure is
/// only logged: it is tried again at the next claim).
pub(crate) async fn forget_idle_consumers<A: Dispatch>(shared: &Shared<A>) {
    for &lane in shared.lanes() {
        forget_in(shared, shared.stream(lane)).await;
    }
}

/// Forgets the idle consumers of the group of `stream` that own nothing there.
async fn forget_in<A: Dispatch>(shared: &Shared<A>, stream: &str) {
    let idle_ms = millis(shared.config().consumer_expiry);
    let mut forget = redis::cmd("EVAL");
    forget
        .arg(FORGET)
        .arg(1)
        .arg(stream)
        .arg(shared.group())
        .arg(idle_ms)
        .arg(shared.consumer());
    let mut conn = shared.station.connections.shared();
    match query(&mut conn, &forget).await {
        Ok(redis::Value::Array(removed)) if !removed.is_empty() => {
            let names: Vec<String> = removed
                .into_iter()
                .filter_map(|name| redis::from_redis_value::<String>(name).ok())
                .collect();
            tracing::info!(path = %shared.path, consumers = ?names, "redis: forgot idle consumers that owned nothing");
        }
        Ok(_) => {}
        Err(error) => {
            tracing::debug!(path = %shared.path, %error, "redis: cannot forget idle consumers; trying later");
        }
    }
}
