//! Tickets, their events, timers and links: the statements, once for both
//! backends. Writing a change is each backend's own (`write`): SQLite
//! shares one transaction among the changes that queue at once.

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::{Commit, Idempotent, Link, TicketFilter, Tickets, Timer};
use crate::domain::{Event, Ticket};
use crate::store::StoreError;
use crate::store::codec::{self, all};

on_each_backend! {
    #[async_trait]
    impl Tickets for DbStore {
        async fn ticket(&self, tenant: Uuid, id: Uuid) -> Result<Option<Ticket>, StoreError> {
            sqlx::query_as::<_, codec::TicketRow>(
                "SELECT * FROM tickets WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .map(Ticket::try_from)
            .transpose()
        }

        async fn tickets(
            &self,
            tenant: Uuid,
            filter: &TicketFilter,
        ) -> Result<Vec<Ticket>, StoreError> {
            if let Some(q) = &filter.q {
                return self.search(tenant, filter, q).await;
            }
            let mut query =
                sqlx::QueryBuilder::<Db>::new("SELECT t.* FROM tickets t WHERE t.tenant_id = ");
            query.push_bind(tenant);
            Self::push_ticket_filter(&mut query, tenant, filter);
            self.newest_below(query, filter.cursor, filter.limit).await
        }

        async fn events(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Event>, StoreError> {
            all(sqlx::query_as::<_, codec::EventRow>(
                "SELECT * FROM events WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY seq",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?)
        }

        async fn transitions_of(
            &self,
            tenant: Uuid,
            tickets: &[Uuid],
        ) -> Result<Vec<Event>, StoreError> {
            if tickets.is_empty() {
                return Ok(Vec::new());
            }
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT * FROM events WHERE kind = 'transitioned' AND tenant_id = ",
            );
            query.push_bind(tenant).push(" AND ticket_id IN (");
            let mut ids = query.separated(", ");
            for id in tickets {
                ids.push_bind(*id);
            }
            query.push(") ORDER BY at, seq");
            all(query.build_query_as::<codec::EventRow>().fetch_all(self.reader()).await?)
        }

        async fn events_after(
            &self,
            tenant: Uuid,
            ticket: Uuid,
            after: i64,
            limit: u32,
        ) -> Result<Vec<Event>, StoreError> {
            all(sqlx::query_as::<_, codec::EventRow>(
                "SELECT * FROM events WHERE tenant_id = $1 AND ticket_id = $2 AND seq > $3 \
                 ORDER BY seq LIMIT $4",
            )
            .bind(tenant)
            .bind(ticket)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?)
        }

        async fn timers(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Timer>, StoreError> {
            all(sqlx::query_as::<_, codec::TimerRow>(
                "SELECT * FROM timers WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY due_at, name",
            )
            .bind(tenant)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?)
        }

        async fn links(&self, tenant: Uuid, ticket: Uuid) -> Result<Vec<Link>, StoreError> {
            let rows = sqlx::query_as::<_, codec::LinkRow>(
                "SELECT from_ticket, to_ticket, relation FROM ticket_links
                 WHERE tenant_id = $1 AND (from_ticket = $2 OR to_ticket = $3) ORDER BY created_at",
            )
            .bind(tenant)
            .bind(ticket)
            .bind(ticket)
            .fetch_all(self.reader())
            .await?;
            Ok(rows.into_iter().map(Link::from).collect())
        }

        async fn idempotent(
            &self,
            tenant: Uuid,
            key: &str,
        ) -> Result<Option<Idempotent>, StoreError> {
            let row = sqlx::query_as::<_, codec::IdempotentRow>(
                "SELECT * FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
            )
            .bind(tenant)
            .bind(key)
            .fetch_optional(self.reader())
            .await?;
            Ok(row.map(Idempotent::from))
        }

        async fn claim_timers(
            &self,
            owner: &str,
            now: Timestamp,
            lease_until: Timestamp,
            limit: u32,
        ) -> Result<Vec<Timer>, StoreError> {
            self.claim_due_timers(owner, now, lease_until, limit).await
        }

        async fn commit(&self, commit: &Commit) -> Result<(), StoreError> {
            self.write(commit).await
        }
    }

    impl DbStore {
        /// Finish a query of tickets named `t`: those below `cursor`, newest
        /// first, `limit` of them.
        pub(in crate::store) async fn newest_below(
            &self,
            mut query: sqlx::QueryBuilder<Db>,
            cursor: Option<Uuid>,
            limit: u32,
        ) -> Result<Vec<Ticket>, StoreError> {
            if let Some(cursor) = cursor {
                query.push(" AND t.id < ").push_bind(cursor);
            }
            query.push(" ORDER BY t.id DESC LIMIT ").push_bind(i64::from(limit));
            all(query
                .build_query_as::<codec::TicketRow>()
                .fetch_all(self.reader())
                .await?)
        }

        /// The conditions of a filter but its cursor, on tickets named `t`.
        pub(in crate::store) fn push_ticket_filter(
            query: &mut sqlx::QueryBuilder<Db>,
            tenant: Uuid,
            filter: &TicketFilter,
        ) {
            if let Some(state) = &filter.state {
                query.push(" AND t.state = ").push_bind(state);
            }
            if let Some(kind) = &filter.kind {
                query.push(" AND t.kind = ").push_bind(kind);
            }
            if let Some(priority) = &filter.priority {
                query.push(" AND t.priority = ").push_bind(codec::name(priority));
            }
            if let Some(assignee) = &filter.assignee {
                query.push(" AND t.assignee = ").push_bind(assignee);
            }
            if let Some(team) = &filter.team {
                query.push(" AND t.team = ").push_bind(team);
            }
            if let Some(serial) = &filter.serial {
                // The fast path's index: the serial's document, exactly.
                query
                    .push(
                        " AND t.id IN (SELECT ticket_id FROM search_docs
                         WHERE tier = 0 AND source = 'serial' AND tenant_id = ",
                    )
                    .push_bind(tenant)
                    .push(" AND text = ")
                    .push_bind(serial)
                    .push(")");
            }
        }
    }
}
