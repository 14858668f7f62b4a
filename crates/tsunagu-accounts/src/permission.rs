//! What each role may do, decided here and nowhere else.

use crate::{Account, Role};

/// Whether `account` may create, edit, confirm, pause, close or reopen a
/// record placed in any of `record_center_ids` (the あんしんケアセンター
/// areas the record lies in or serves). Admins edit everything,
/// coordinators the records of their own centre's area, viewers nothing.
pub fn can_edit_record(account: &Account, record_center_ids: &[&str]) -> bool {
    match account.role {
        Role::Admin => true,
        Role::Coordinator => account
            .center_id
            .as_deref()
            .is_some_and(|own| record_center_ids.contains(&own)),
        Role::Viewer => false,
    }
}

/// The records an account may change, said so a writer can apply it to
/// a record as it is at the moment of the change: the same rule as
/// [`can_edit_record`], as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRights {
    Everything,
    /// Records placed in one of these あんしんケアセンター areas.
    Centres(Vec<String>),
    Nothing,
}

pub fn edit_rights(account: &Account) -> EditRights {
    match account.role {
        Role::Admin => EditRights::Everything,
        Role::Coordinator => match &account.center_id {
            Some(own) => EditRights::Centres(vec![own.clone()]),
            None => EditRights::Nothing,
        },
        Role::Viewer => EditRights::Nothing,
    }
}

/// Whether `account` may read internal records and fields
/// (`notes_internal`, `contact.person`): every role.
pub fn can_read_internal(account: &Account) -> bool {
    // A match, not `true`: a new role must be decided here.
    match account.role {
        Role::Admin | Role::Coordinator | Role::Viewer => true,
    }
}

/// Whether `account` may take the whole directory away with its internal
/// records and fields (an export for coordinators, named 「内部用」):
/// admins and coordinators; a viewer reads them on screen only.
pub fn can_export_internal(account: &Account) -> bool {
    match account.role {
        Role::Admin | Role::Coordinator => true,
        Role::Viewer => false,
    }
}

/// Whether `account` may add, end and change accounts and tokens of
/// others, and read the whole audit log: admins only.
pub fn can_manage_accounts(account: &Account) -> bool {
    account.role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn account(role: Role, centre: Option<&str>) -> Account {
        Account {
            login: "someone".into(),
            role,
            name: "n".into(),
            title: None,
            organization: None,
            center_id: centre.map(str::to_string),
            appointed_on: None,
            appointed_reason: None,
            valid_from: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            valid_until: None,
            ended_on: None,
            ended_reason: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn each_role_edits_what_it_may() {
        let admin = account(Role::Admin, None);
        let coordinator = account(Role::Coordinator, Some("AC05"));
        let viewer = account(Role::Viewer, None);
        // (account, record centres, may edit)
        let cases: [(&Account, &[&str], bool); 9] = [
            (&admin, &["AC05"], true),
            (&admin, &[], true),
            (&coordinator, &["AC05"], true),
            (&coordinator, &["AC04", "AC05"], true),
            (&coordinator, &["AC04"], false),
            (&coordinator, &[], false),
            (&viewer, &["AC05"], false),
            (&viewer, &[], false),
            (&account(Role::Coordinator, None), &["AC05"], false),
        ];
        for (a, centres, expected) in cases {
            assert_eq!(
                can_edit_record(a, centres),
                expected,
                "{:?} {:?} on {centres:?}",
                a.role,
                a.center_id
            );
        }
        for a in [&admin, &coordinator, &viewer] {
            assert!(can_read_internal(a));
            assert_eq!(can_manage_accounts(a), a.role == Role::Admin);
            assert_eq!(can_export_internal(a), a.role != Role::Viewer);
        }
    }
}
