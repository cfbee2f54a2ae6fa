//! A future polled inside a `tracing` span, as `tracing::Instrument` does, but with the span
//! boxed, and kept only while a subscriber wants it: a span takes 40 bytes, a pointer 8, and
//! every idle actor's task carries what its future holds.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Where a span is kept.
pub(super) trait SpanSlot {
    fn span(&self) -> Option<&tracing::Span>;
}

impl SpanSlot for Box<tracing::Span> {
    #[inline]
    fn span(&self) -> Option<&tracing::Span> {
        Some(self)
    }
}

impl SpanSlot for Option<Box<tracing::Span>> {
    #[inline]
    fn span(&self) -> Option<&tracing::Span> {
        self.as_deref()
    }
}

pin_project_lite::pin_project! {
    /// `fut`, entering `span` on every poll.
    pub(super) struct InSpan<S, F> {
        span: S,
        #[pin]
        fut: F,
    }
}

impl<S, F> InSpan<S, F> {
    pub(super) fn new(span: S, fut: F) -> Self {
        InSpan { span, fut }
    }
}

impl<S: SpanSlot, F: Future> Future for InSpan<S, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.span().map(tracing::Span::enter);
        this.fut.poll(cx)
    }
}
