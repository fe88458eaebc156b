"""Text helpers shared by every stage: joining wrapped lines, normalising labels."""
