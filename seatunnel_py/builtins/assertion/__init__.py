"""Assert sink: checks rows against rules; a violation fails the job."""
