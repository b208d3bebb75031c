"""Running a job: the stages, the job store, progress and the Executor interface."""
