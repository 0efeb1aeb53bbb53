-- When a call joined the queue it waits in (calls.queue_id): the first queue, or the one it overflowed
-- to. A caller still waiting when the service restarts goes back into that queue, and its maximum wait
-- there runs on from this time instead of starting again.

ALTER TABLE calls ADD COLUMN queue_joined_at INTEGER;
