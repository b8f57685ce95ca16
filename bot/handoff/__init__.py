"""Live chat between a user and hotline staff: cases and the Telegram relay."""
