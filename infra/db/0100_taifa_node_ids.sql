-- Taifa: the node component (0..1023, taken modulo) of time-ordered message ids.
-- Each silo takes the next value at start-up, so silos sharing this database never share a node id
-- until 1024 silo starts later, by which time the millisecond component has long moved on.
CREATE SEQUENCE IF NOT EXISTS taifa_node_id AS bigint START WITH 0 MINVALUE 0 CYCLE;
