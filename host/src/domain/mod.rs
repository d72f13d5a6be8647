//! The ticket model and its rules: pure logic, no I/O.
//!
//! Nothing here knows about HTTP, SQL or WebAssembly; the service layer feeds
//! it plugin manifests and stores what it decides.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod contract;
pub mod csv;
pub mod dispatch;
pub mod event;
pub mod export;
pub mod import;
pub mod metrics;
pub mod notification;
pub mod part;
pub mod search;
pub mod service_point;
pub mod sla;
pub mod team;
pub mod technician;
pub mod thumbnail;
pub mod ticket;
pub mod view;
pub mod workflow;

pub use access::{Actor, Role};
pub use event::{Event, EventData};
pub use sla::SlaMetric;
pub use ticket::{Channel, Customer, NewTicket, Priority, Product, Ticket, TicketError};
pub use workflow::{Category, Step, WorkflowError};
