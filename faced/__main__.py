from faced.cli import main

main()
