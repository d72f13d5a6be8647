//! Console accounts, sessions and invitations: the statements, once for both
//! backends.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Transaction;
use uuid::Uuid;

use super::{
    Accounts, Invite, InviteRow, Session, SessionRow, User, UserChange, UserRow, duplicate,
    role_name,
};
use crate::store::StoreError;
use crate::store::codec::{all, millis};

on_each_backend! {
    async fn insert_user(tx: &mut Transaction<'_, Db>, u: &User) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO console_users (id, tenant_id, login, name, role, password_hash, locale, created_at, disabled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(u.id)
        .bind(u.tenant_id)
        .bind(&u.login)
        .bind(&u.name)
        .bind(role_name(u.role))
        .bind(&u.password_hash)
        .bind(&u.locale)
        .bind(millis(u.created_at))
        .bind(u.disabled_at.map(millis))
        .execute(&mut **tx)
        .await
        .map_err(|e| duplicate(e, &format!("the login `{}`", u.login)))?;
        Ok(())
    }

    #[async_trait]
    impl Accounts for DbStore {
        async fn create_user(&self, user: &User) -> Result<(), StoreError> {
            let mut tx = self.writer().begin().await?;
            insert_user(&mut tx, user).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn user(&self, tenant: Uuid, id: Uuid) -> Result<Option<User>, StoreError> {
            sqlx::query_as::<_, UserRow>(
                "SELECT * FROM console_users WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .map(User::try_from)
            .transpose()
        }

        async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
            sqlx::query_as::<_, UserRow>("SELECT * FROM console_users WHERE login = $1")
                .bind(login)
                .fetch_optional(self.reader())
                .await?
                .map(User::try_from)
                .transpose()
        }

        async fn users(&self, tenant: Uuid) -> Result<Vec<User>, StoreError> {
            all(sqlx::query_as::<_, UserRow>(
                "SELECT * FROM console_users WHERE tenant_id = $1 ORDER BY login",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn set_user_locale(
            &self,
            tenant: Uuid,
            id: Uuid,
            locale: &str,
        ) -> Result<(), StoreError> {
            sqlx::query("UPDATE console_users SET locale = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(locale)
                .bind(tenant)
                .bind(id)
                .execute(self.writer())
                .await?;
            Ok(())
        }

        async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO console_sessions (token_hash, user_id, tenant_id, csrf, created_at, expires_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(s.tenant_id)
            .bind(&s.csrf)
            .bind(millis(s.created_at))
            .bind(millis(s.expires_at))
            .bind(millis(s.last_seen_at))
            .execute(self.writer())
            .await?;
            Ok(())
        }

        async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
            sqlx::query_as::<_, SessionRow>("SELECT * FROM console_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?
                .map(Session::try_from)
                .transpose()
        }

        async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM console_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(self.writer())
                .await?;
            Ok(())
        }

        async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
            let done = sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
                .bind(millis(now))
                .execute(self.writer())
                .await?;
            Ok(done.rows_affected())
        }

        async fn create_invite(&self, i: &Invite) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO console_invites (token_hash, tenant_id, login, role, invited_by, created_at, expires_at, accepted_at, user_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&i.token_hash)
            .bind(i.tenant_id)
            .bind(&i.login)
            .bind(role_name(i.role))
            .bind(i.invited_by)
            .bind(millis(i.created_at))
            .bind(millis(i.expires_at))
            .bind(i.accepted_at.map(millis))
            .bind(i.user_id)
            .execute(self.writer())
            .await?;
            Ok(())
        }

        async fn invite(&self, token_hash: &str) -> Result<Option<Invite>, StoreError> {
            sqlx::query_as::<_, InviteRow>("SELECT * FROM console_invites WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?
                .map(Invite::try_from)
                .transpose()
        }

        async fn accept_invite(&self, token_hash: &str, user: &User) -> Result<bool, StoreError> {
            let mut tx = self.writer().begin().await?;
            let taken = sqlx::query("UPDATE console_invites SET accepted_at = $1 WHERE token_hash = $2 AND accepted_at IS NULL")
                .bind(millis(user.created_at))
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            if taken.rows_affected() != 1 {
                return Ok(false);
            }
            insert_user(&mut tx, user).await?;
            tx.commit().await?;
            Ok(true)
        }

        async fn update_user(
            &self,
            tenant: Uuid,
            id: Uuid,
            change: &UserChange,
        ) -> Result<bool, StoreError> {
            let mut tx = self.writer().begin().await?;
            let found = sqlx::query(
                "UPDATE console_users SET role = COALESCE($1, role),
                    disabled_at = CASE WHEN $2 THEN $3 ELSE disabled_at END
                 WHERE tenant_id = $4 AND id = $5",
            )
            .bind(change.role.map(role_name))
            .bind(change.disabled_at.is_some())
            .bind(change.disabled_at.flatten().map(millis))
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if found.rows_affected() != 1 {
                return Ok(false);
            }
            if matches!(change.disabled_at, Some(Some(_))) {
                sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        }

        async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
            sqlx::query("UPDATE console_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(millis(at))
                .bind(token_hash)
                .execute(self.writer())
                .await?;
            Ok(())
        }

        async fn open_invites(&self, tenant: Uuid) -> Result<Vec<Invite>, StoreError> {
            all(sqlx::query_as::<_, InviteRow>(
                "SELECT * FROM console_invites WHERE tenant_id = $1 AND accepted_at IS NULL
                 ORDER BY created_at DESC",
            )
            .bind(tenant)
            .fetch_all(self.reader())
            .await?)
        }

        async fn revoke_invite(&self, tenant: Uuid, token_hash: &str) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "DELETE FROM console_invites
                 WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL",
            )
            .bind(tenant)
            .bind(token_hash)
            .execute(self.writer())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn reset_password(
            &self,
            token_hash: &str,
            user: Uuid,
            password_hash: &str,
            at: Timestamp,
        ) -> Result<bool, StoreError> {
            let mut tx = self.writer().begin().await?;
            let taken = sqlx::query(
                "UPDATE console_invites SET accepted_at = $1
                 WHERE token_hash = $2 AND user_id = $3 AND accepted_at IS NULL",
            )
            .bind(millis(at))
            .bind(token_hash)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("UPDATE console_users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        }
    }
}
