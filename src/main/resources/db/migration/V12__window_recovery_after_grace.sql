-- A completed window is recovered (handed on again) only once it has waited the orphan grace, by the one
-- instance that renews completed_at first; before, every instance recovered every unconfirmed window at once.
ALTER TABLE windows_completed ADD COLUMN completed_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL;
