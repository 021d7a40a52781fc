//! `rustomize init`: the files of a new app or infra environment.
