-- Orleans ADO.NET: the query catalogue, pinned to Orleans 10.4.2.
-- Every Orleans ADO.NET provider starts by reading `SELECT QueryKey, QueryText FROM OrleansQuery`
-- and from then on issues only those texts, binding parameters by name (@DeploymentId, @GrainId, ...)
-- and reading result columns by name. The later scripts insert their rows here.
-- Identifiers are unquoted on purpose: PostgreSQL folds them to lower case, and the providers'
-- unquoted queries and case-insensitive column look-ups rely on that.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
