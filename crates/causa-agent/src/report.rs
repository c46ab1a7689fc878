//! Reports of a session.
