pub mod visitor;
pub use visitor::{visitor_key, VisitorKey};
