//! The bounded log of one call: stdout, stderr and the `log` import.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Keeps the first `capacity` bytes a plugin writes and counts the rest.
///
/// Writes never fail and never block: a plugin that prints too much loses
/// the excess, not its call.
#[derive(Debug, Clone)]
pub struct CallLog {
    inner: Arc<Mutex<Buffer>>,
}

#[derive(Debug)]
struct Buffer {
    text: Vec<u8>,
    capacity: usize,
    dropped: usize,
}

impl CallLog {
    pub fn new(capacity: usize) -> Self {
        CallLog {
            inner: Arc::new(Mutex::new(Buffer {
                text: Vec::new(),
                capacity,
                dropped: 0,
            })),
        }
    }

    fn buffer(&self) -> MutexGuard<'_, Buffer> {
        // A panic while holding this lock cannot leave the buffer invalid.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Append raw bytes.
    pub fn append(&self, bytes: &[u8]) {
        let mut buf = self.buffer();
        let room = buf.capacity.saturating_sub(buf.text.len());
        let kept = room.min(bytes.len());
        buf.text.extend_from_slice(&bytes[..kept]);
        buf.dropped += bytes.len() - kept;
    }

    /// Append one line from the `log` import.
    pub fn line(&self, level: &str, message: &str) {
        self.append(format!("[{level}] {message}\n").as_bytes());
    }

    /// The text kept so far, and how many bytes were dropped.
    pub fn contents(&self) -> (String, usize) {
        let buf = self.buffer();
        (String::from_utf8_lossy(&buf.text).into_owned(), buf.dropped)
    }
}

impl IsTerminal for CallLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CallLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for CallLog {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CallLog {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CallLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_bytes_and_counts_the_rest() {
        let log = CallLog::new(8);
        log.append(b"hello ");
        log.append(b"world");
        assert_eq!(log.contents(), ("hello wo".to_string(), 3));
    }
}
