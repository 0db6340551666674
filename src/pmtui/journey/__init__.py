"""Driving pmtui as a person does: over a real SSH connection (sshd on
loopback), in a real terminal (tmux), keys in bursts, the screen read back.
Shared by the terminal tests (tests/integration, through fixtures) and the
journey benchmark; no Textual here.
"""
