#!/usr/bin/env python3
"""mkdb.py PATH [LEARNER LESSON...]: a progress database as the lab makes it (schema
version 2, the lab's application_id), written with Python's sqlite3 for the shell tests:
the commands that only show progress never create one, and the lab (which does) needs a
terminal. Each LESSON is saved 'started' for LEARNER with one scenario line.

The schema is written out here, not taken from the lab: a fixture that followed the
code would not notice the code changing it (lab/learn/progress.h documents it)."""
import os
import sqlite3
import sys

path = sys.argv[1]
os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
db = sqlite3.connect(path)
db.executescript("""
PRAGMA application_id = 1094927426;
CREATE TABLE IF NOT EXISTS learner (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lesson_progress (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'started', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0, page INTEGER NOT NULL DEFAULT 0,
  seed INTEGER NOT NULL DEFAULT 0, started TEXT, updated TEXT NOT NULL,
  hints_used INTEGER NOT NULL DEFAULT 0, time_spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (learner_id, lesson));
CREATE TABLE IF NOT EXISTS goal_met (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL, goal TEXT NOT NULL, met_at TEXT NOT NULL,
  PRIMARY KEY (learner_id, lesson, goal));
CREATE TABLE IF NOT EXISTS scenario_line (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (learner_id, lesson, n));
PRAGMA user_version = 2;
""")
if len(sys.argv) > 2:
    learner = sys.argv[2]
    db.execute("INSERT OR IGNORE INTO learner (name, created) VALUES (?, '2026-01-01T00:00:00Z')", (learner,))
    lid = db.execute("SELECT id FROM learner WHERE name = ?", (learner,)).fetchone()[0]
    for lesson in sys.argv[3:]:
        db.execute("INSERT INTO lesson_progress (learner_id, lesson, status, attempts, page, seed, updated) "
                   "VALUES (?, ?, 'started', 1, 0, 1, '2026-01-01T00:00:00Z')", (lid, lesson))
        db.execute("INSERT INTO scenario_line VALUES (?, ?, 1, "
                   "'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)')", (lid, lesson))
db.commit()
db.close()
os.chmod(path, 0o600)
