"""E-mail notifications through an outbox: `enqueue(...)` writes messages in the transaction of the change that
causes them, they are delivered right after its commit, and `flask mail deliver` retries what the mail server
did not take. Users switch each kind off on their account page; the admin sees undelivered mail at /admin/mail."""
