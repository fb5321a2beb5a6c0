//! Genome interpreter (being written).
