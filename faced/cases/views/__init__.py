"""The cases app's pages, by audience: the survivor's (survivor.py,
namespace `cases`), the committee's (committee.py), the appeals role's
(appeals.py) and leadership's (leadership.py), with what several of them
share in case_page.py."""
