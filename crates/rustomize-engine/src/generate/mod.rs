//! ConfigMap and Secret generators, and the name-suffix hash.
