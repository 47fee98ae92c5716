//! Generated gRPC code and descriptor set for the medbill contracts
