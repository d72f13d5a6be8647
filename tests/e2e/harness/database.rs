//! A database of its own for one test or one benchmark run: a SQLite file
//! in a temporary directory, or a scratch database on a PostgreSQL server,
//! dropped afterwards (also when a check failed). The benchmarks include
//! this file too (`host/benches/support`).

use uuid::Uuid;

pub struct Database {
    pub url: String,
    /// The PostgreSQL server and the scratch database to drop afterwards.
    scratch: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    /// `test.db` in a fresh temporary directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Database {
            url: format!("sqlite://{}", dir.path().join("test.db").display()),
            scratch: None,
            _dir: Some(dir),
        }
    }

    /// A new database on the PostgreSQL server at `server`.
    pub async fn postgres(server: &str) -> Self {
        use sqlx::Connection;
        let name = format!("aftersale_t_{}", Uuid::now_v7().simple());
        let mut admin = sqlx::postgres::PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} is not reachable: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create a scratch database on {server}: {e}"));
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        Database {
            url: format!("{base}/{name}"),
            scratch: Some((server.to_string(), name)),
            _dir: None,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Some((server, name)) = self.scratch.take() else {
            return;
        };
        // Drop runs outside any runtime's reach: use a thread of our own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(&server).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}
