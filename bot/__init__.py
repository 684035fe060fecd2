"""KH147 bot: one brain (handlers over the plan and the database), several mouths (channels)."""
