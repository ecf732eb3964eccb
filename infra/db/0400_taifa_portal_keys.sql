-- Taifa: the customer portal's data-protection key ring (src/Taifa.Silo/Database/Portal/PostgresXmlRepository.cs).
-- Every silo protects portal session and anti-forgery cookies with these keys, so a session started on one silo is
-- valid on every other. One row per key, the key's XML as ASP.NET Core data protection writes it; rows are only
-- added (a key is revoked or expires inside its XML, and the key manager keeps expired keys to read old cookies).
CREATE TABLE IF NOT EXISTS taifa_portal_data_protection_key
(
    friendly_name text        PRIMARY KEY,
    xml           text        NOT NULL,
    created       timestamptz NOT NULL DEFAULT now()
);
