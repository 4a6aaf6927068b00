"""The campaign's own records beside the tables: the 7月14日 摸排 survey per county (附件7 is drawn from it), the
8月29日 阶段性情况报告 and 11月28日 活动总结 with 典型经验, and the campaign's deadlines with reminders."""
