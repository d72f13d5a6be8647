//! Search documents: their writes in a commit and the queries, once for
//! both backends.

use std::sync::LazyLock;

use uuid::Uuid;

use crate::domain::Ticket;
use crate::domain::search::{self, Document, Query};
use crate::store::codec::{self, all};
use crate::store::{Commit, StoreError, TicketFilter};

/// The `INSERT` of 0, 1, … up to a ticket's documents at once, made once
/// (a commit's statements live as long as the process).
static INSERTS: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..=search::Source::ALL.len()).map(insert).collect());

/// One `INSERT` of `rows` documents.
fn insert(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let n = i * 5;
            format!(
                "(${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5
            )
        })
        .collect();
    format!(
        "INSERT INTO search_docs (tenant_id, ticket_id, source, tier, text) VALUES {}",
        values.join(", ")
    )
}

on_each_backend! {
    impl DbStore {
        /// The documents of every ticket the commit creates, and of its
        /// comments. A ticket's texts do not change once it is open (no
        /// change edits its title, description, customer or product), so
        /// an update writes none.
        pub(in crate::store) fn search_documents(script: &mut DbScript, commit: &Commit) {
            let tenant = commit.tenant_id;
            let written = commit.inserts.iter();
            let comments = commit.events.iter().filter_map(|e| {
                search::comment(e).map(|doc| (e.ticket_id, vec![doc]))
            });
            let docs = written.map(|t| (t.id, search::documents(t))).chain(comments);
            for (ticket, docs) in docs.filter(|(_, docs)| !docs.is_empty()) {
                let mut statement = script.push(&INSERTS[docs.len()]);
                for Document { source, tier, text } in docs {
                    statement = statement
                        .bind(tenant)
                        .bind(ticket)
                        .bind(source)
                        .bind(tier)
                        .bind(text);
                }
            }
        }

        /// One page of the tickets that match `q`, best tier first, newest
        /// first within a tier.
        pub(in crate::store) async fn search(
            &self,
            tenant: Uuid,
            filter: &TicketFilter,
            q: &Query,
        ) -> Result<Vec<Ticket>, StoreError> {
            let exact = self.search_keys(tenant, filter, q, filter.cursor).await?;
            if !exact.is_empty() {
                return Ok(exact);
            }
            if filter.cursor.is_some()
                && !self.search_keys(tenant, filter, q, None).await?.is_empty()
            {
                // Past the last page of the fast path.
                return Ok(Vec::new());
            }
            let after = match filter.cursor {
                Some(cursor) => Some((self.tier_of(tenant, cursor, q).await?, cursor)),
                None => None,
            };
            // The tenant's matching documents first, then their tickets: the
            // tickets are read only for matches.
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT t.*, m.tier FROM (SELECT d.ticket_id, MIN(d.tier) AS tier
                 FROM search_docs d WHERE d.tenant_id = ",
            );
            query.push_bind(tenant).push(" AND ");
            Self::push_text_match(&mut query, tenant, &q.text);
            query
                .push(" GROUP BY d.ticket_id) m JOIN tickets t ON t.id = m.ticket_id")
                .push(" WHERE t.tenant_id = ")
                .push_bind(tenant);
            Self::push_ticket_filter(&mut query, tenant, filter);
            if let Some((tier, cursor)) = after {
                query
                    .push(" AND (m.tier > ")
                    .push_bind(tier)
                    .push(" OR (m.tier = ")
                    .push_bind(tier)
                    .push(" AND t.id < ")
                    .push_bind(cursor)
                    .push("))");
            }
            query
                .push(" ORDER BY m.tier, t.id DESC LIMIT ")
                .push_bind(i64::from(filter.limit));
            all(query
                .build_query_as::<codec::TicketRow>()
                .fetch_all(self.reader())
                .await?)
        }

        /// The fast path: tickets whose serial or phone number is one of the
        /// query's keys, newest first, below `cursor`.
        async fn search_keys(
            &self,
            tenant: Uuid,
            filter: &TicketFilter,
            q: &Query,
            cursor: Option<Uuid>,
        ) -> Result<Vec<Ticket>, StoreError> {
            // A subquery, not a join: joined, the cursor's `t.id < …` would
            // carry over to the documents' `ticket_id` and turn the look-up
            // into a range scan per ticket.
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT t.* FROM tickets t WHERE t.tenant_id = ",
            );
            query.push_bind(tenant).push(
                " AND t.id IN (SELECT ticket_id FROM search_docs WHERE tier = 0 AND tenant_id = ",
            );
            query.push_bind(tenant).push(" AND text IN (");
            let mut keys = query.separated(", ");
            for key in &q.keys {
                keys.push_bind(key.as_str());
            }
            query.push("))");
            Self::push_ticket_filter(&mut query, tenant, filter);
            self.newest_below(query, cursor, filter.limit).await
        }

        /// The best tier in which a ticket matches `q`: where the page after
        /// it starts. A ticket that no longer matches continues in the last
        /// tier.
        async fn tier_of(&self, tenant: Uuid, ticket: Uuid, q: &Query) -> Result<i32, StoreError> {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT MIN(d.tier) FROM search_docs d WHERE d.tenant_id = ",
            );
            query.push_bind(tenant).push(" AND d.ticket_id = ").push_bind(ticket);
            query.push(" AND ");
            Self::push_text_scan(&mut query, &q.text);
            let tier: Option<i32> = query.build_query_scalar().fetch_one(self.reader()).await?;
            Ok(tier.unwrap_or(search::COMMENT_TIER))
        }
    }
}
