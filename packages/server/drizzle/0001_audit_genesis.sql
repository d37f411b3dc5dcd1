-- The audit chain starts empty: seq 0, and the genesis `prev` of 64 zeros (DESIGN.md, audit trail).
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
