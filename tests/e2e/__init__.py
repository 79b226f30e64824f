"""End to end: the real command as a process, the real channels against the fake chat APIs
over HTTP, the web pages in headless chromium."""
