//! Opening tickets from a CSV document: every row checked and let in by its
//! plugin's `on-create` like a single `POST /tickets`, then all of them
//! written in one commit — or, when any row is refused, none of them, with
//! the reason for each refused row.

use super::{Caller, ServiceError, Services};
use crate::domain::access::Permission;
use crate::domain::{Ticket, csv, import};
use crate::store::Commit;

/// What became of an import.
#[derive(Debug)]
pub enum Imported {
    /// Every row opened, in the document's order.
    All(Vec<Ticket>),
    /// Nothing was written: each refused row's line and why.
    Refused(Vec<(usize, ServiceError)>),
}

impl Services {
    pub async fn import_tickets(
        &self,
        caller: &Caller,
        document: &str,
    ) -> Result<Imported, ServiceError> {
        caller.may(Permission::WriteTickets)?;
        let rows = csv::parse(document)
            .and_then(import::rows)
            .map_err(ServiceError::Invalid)?;
        let bundle = self.catalog.bundle(caller.tenant_id).await?;
        let mut all = Commit {
            tenant_id: caller.tenant_id,
            ..Commit::default()
        };
        let mut opened = Vec::with_capacity(rows.len());
        let mut refused = Vec::new();
        for (line, row) in rows {
            let outcome = match row {
                Ok(new) => self.open_one(caller, &bundle, new).await,
                Err(why) => Err(ServiceError::Invalid(why)),
            };
            match outcome {
                Ok((ticket, commit)) => {
                    opened.push(ticket);
                    all.absorb(commit);
                }
                Err(e) => refused.push((line, e)),
            }
        }
        if !refused.is_empty() {
            return Ok(Imported::Refused(refused));
        }
        self.store.commit(&all).await?;
        Ok(Imported::All(opened))
    }

    async fn open_one(
        &self,
        caller: &Caller,
        bundle: &super::catalog::Bundle,
        new: crate::domain::NewTicket,
    ) -> Result<(Ticket, Commit), ServiceError> {
        let (change, slot) = self.opening(caller, bundle, new).await?;
        let ticket = change.ticket(slot).clone();
        Ok((ticket, change.into_commit(None).await?))
    }
}
