"""The JACK loopback rig: a private ``jackd -d dummy`` as a real audio device, and real faults on it.

``loopback`` starts, isolates and tears down the server (``LoopbackRig``); ``jack_agent`` is the
parent-side handle on ``_jackagent``, the child process that owns the rig's only libjack client;
``spawn`` forks the rig's children from a thread that outlives their caller; ``rig_target`` is the
fault-target protocol over the rig (``JackRigTarget``) and the watch that notices an unannounced
server death (``ServerWatch``).
"""
