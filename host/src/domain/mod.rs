//! The ticket model and its rules: pure logic, no I/O.
//!
//! Nothing here knows about HTTP, SQL or WebAssembly; the service layer feeds
//! it plugin manifests and stores what it decides.

pub mod access;
pub mod calendar;
pub mod event;
pub mod metrics;
pub mod sla;
pub mod ticket;
pub mod workflow;

pub use event::{Event, EventData};
pub use ticket::{NewTicket, Ticket, TicketError};
pub use workflow::{Step, WorkflowError};
