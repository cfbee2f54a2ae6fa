//! What is emitted when the input is wrong: the user's item as written (less what rustc would
//! reject again: the `#[skip]` markers, an `unsafe` on an inherent impl) plus the errors, so
//! the rest of the crate still type-checks and one mistake shows as one error.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::ctxt::Ctxt;

/// The user's item (nothing for `None`: an item rustc would only reject again), followed by
/// every recorded error.
pub(crate) fn item_with_errors(item: impl ToTokens, cx: Ctxt) -> TokenStream {
    let mut tokens = item.into_token_stream();
    tokens.extend(cx.into_compile_errors());
    tokens
}
