use cancel_check::not_cancel_safe;

#[not_cancel_safe]
async fn missing() {}

#[not_cancel_safe()]
async fn empty() {}

#[not_cancel_safe(because = "it drops data")]
async fn unknown_key() {}

#[not_cancel_safe(reason = 5)]
async fn not_a_string() {}

#[not_cancel_safe(reason = "   ")]
async fn blank() {}

#[not_cancel_safe(reason = "one", reason = "two")]
async fn twice() {}

#[not_cancel_safe(data_loss)]
async fn bare_word() {}

#[not_cancel_safe(reason = "no comma" reason = "x")]
async fn missing_comma() {}

fn main() {}
