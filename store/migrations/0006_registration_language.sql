-- The language a person wrote in, so that every later mail about the
-- registration (a move up, a substitution, a reminder) is written in it
-- without reading the registering mail again. Registrations from before
-- this migration keep '' and are answered as before.
ALTER TABLE registrations ADD COLUMN language TEXT NOT NULL DEFAULT '';
